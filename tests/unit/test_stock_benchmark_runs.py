"""The stock benchmark runs end to end at toy sizes and reports every figure (never timings)."""

from __future__ import annotations

import json

import pytest

from journey.benchmarks.stock import run_stock_benchmark
from journey.command_side.stock import PlasticStock


def test_the_stock_benchmark_reports_both_modes_at_every_checkpoint_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    returned = run_stock_benchmark(runs=1, checkpoints=(30, 10), window=5, json_output=True)

    printed = json.loads(capsys.readouterr().out)  # exactly one JSON object, nothing else
    assert printed == returned
    for cards in (10, 30):
        for figure in ("kept_ms_at", "rebuilt_ms_at", "speedup_at"):
            assert printed[f"{figure}_{cards}"] > 0
    assert PlasticStock.keep_in_memory  # the rebuilt mode is undone once measured


def test_the_stock_benchmark_refuses_an_empty_plan() -> None:
    with pytest.raises(ValueError, match="at least"):
        run_stock_benchmark(runs=1, checkpoints=(), window=5)
