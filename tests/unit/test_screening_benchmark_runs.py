"""The screening benchmark runs end to end at toy sizes and reports every figure (never timings)."""

from __future__ import annotations

import json
import random

import pytest

from journey.benchmarks.screening import VARIANTS, run_screening_benchmark, variants
from journey.query_side.restrictive_lists.entries import ListedName, ListEntry

FIGURES = (
    "screenings_per_s",
    "naive_screenings_per_s",
    "ratio_vs_naive",
    "recall",
    "precision",
    "alert_precision",
    "p50_ms",
    "p99_ms",
    "naive_agreement",
    "queries",
    "positives",
    "negatives",
    "entries",
)


def test_the_screening_benchmark_reports_every_figure_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    returned = run_screening_benchmark(
        entries=300, people=600, sample_entries=25, negatives=60, naive_queries=4, json_output=True
    )
    printed = json.loads(capsys.readouterr().out)  # exactly one JSON object, nothing else
    assert printed == returned
    for key in FIGURES:
        assert isinstance(printed[key], int | float), key
        assert printed[key] > 0, key
    assert 0 <= printed["false_positive_rate"] < 0.05
    assert printed["entries"] == 301  # the population's 300 and the example
    assert printed["recall"] == 1.0
    assert printed["naive_agreement"] == 1.0
    assert printed["naive_queries"] == 4
    assert {f"recall_{kind}" for kind in VARIANTS} <= set(printed)


def test_the_labelled_variants_are_the_ways_an_applicant_writes_a_listed_name() -> None:
    entry = ListEntry(
        list_name="OFAC-SDN",
        entry_id="1",
        names=(ListedName("PEREZ GONZALEZ, Jose Antonio"), ListedName("PEREZ, Jose", "alias")),
    )
    found = dict(variants(entry, random.Random(1)))
    assert found["exact"] == "JOSE ANTONIO PEREZ GONZALEZ"
    assert found["accents"] == "José Antonio Pérez González"
    assert found["reordered"] == "PEREZ GONZALEZ JOSE ANTONIO"
    assert found["missing_surname"] == "JOSE ANTONIO PEREZ"
    assert found["initials"] == "JOSE A PEREZ GONZALEZ"
    assert found["spanish_spelling"] == "JOSE ANTONIO PERES GONZALEZ"
    assert found["alias"] == "JOSE PEREZ"
    assert found["issue_combination"] == "GONSALEZ PEREZ JOSE A"
    typo = found["typo"].split()
    assert len(typo) == 4
    assert sum(a != b for a, b in zip(typo, found["exact"].split(), strict=True)) == 1
