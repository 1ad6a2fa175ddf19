"""The test bench benchmark runs end to end at toy size and reports every figure (no timings
are asserted: benchmarks measure, tests check behaviour)."""

from __future__ import annotations

import json

import pytest

from journey.benchmarks.testbench import run_testbench_benchmark
from journey.testbench.simulators.config import Timing

FIGURES = (
    "single_site_cards_per_min",
    "multi_site_cards_per_min",
    "speedup",
    "accuracy",
    "max_f0_error_pct",
)


def test_the_benchmark_reports_every_figure_as_one_json_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    returned = run_testbench_benchmark(
        cards=8, sites=2, seed=3, defect_rate=0.3, timing=Timing.fast(), json_output=True
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed == returned
    for key in FIGURES:
        assert isinstance(printed[key], int | float), key
    assert printed["single_site_cards_per_min"] > 0
    assert printed["multi_site_cards_per_min"] > 0
    assert printed["double_bookings"] == 0
    assert printed["route_refusals"] == 0
    assert printed["errors"] == 0
    assert printed["accuracy"] == 1.0
    assert (printed["cards"], printed["sites"]) == (8, 2)
