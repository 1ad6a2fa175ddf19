"""Scoring a run against the simulator's hidden truth (what the station could not see).

The truth verdict applies the station's own limits to each card's real properties, under the
test's own conditions (its reference and maximum fields): the question is whether the station
judged each card as its limits say it should, not whether the limits are right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journey.testbench.sequences.measurements import Outcome
from journey.testbench.sequences.record import TestRecord, Verdict
from journey.testbench.simulators.physics.cards import CardTruth, sideband_dbm
from journey.testbench.station import StationConfig


def true_values(card: CardTruth, config: StationConfig) -> dict[str, float | bool | None]:
    """What a perfect station would have measured."""
    reference = config.field.reference_field
    answers = card.operates(reference)
    return {
        "resonance_frequency": card.resonance_hz,
        "quality_factor": card.q if card.resonance_hz is not None else None,
        "load_modulation_sideband": (
            sideband_dbm(card.modulation_at(reference)) if answers else None
        ),
        "minimum_operating_field": card.hmin_a_per_m if answers else None,
        "operates_at_max_field": card.operates(config.field.max_field),
    }


def true_verdict(card: CardTruth, config: StationConfig) -> tuple[Verdict, list[str]]:
    """PASS or FAIL by the station's limits, and the measurements that should fail."""
    failing = [
        name
        for name, value in true_values(card, config).items()
        if config.limits[name].judge(value)[0] is Outcome.FAIL
    ]
    return (Verdict.FAIL if failing else Verdict.PASS), failing


@dataclass(frozen=True, slots=True)
class Score:
    cards: int
    judged: int  # records with a PASS/FAIL verdict (ERROR ones are not judgements)
    agreed: int
    false_passes: int  # bad cards the station passed: the costly mistake
    false_fails: int
    max_f0_error_pct: float
    disagreements: tuple[str, ...]

    @property
    def accuracy(self) -> float:
        """Share of cards whose verdict matches the truth (an ERROR never matches)."""
        return self.agreed / self.cards if self.cards else 0.0


def score(
    records: Sequence[TestRecord], truths: dict[str, CardTruth], config: StationConfig
) -> Score:
    agreed = false_passes = false_fails = judged = 0
    worst = 0.0
    disagreements = []
    for record in records:
        card = truths[record.dut_id]
        expected, _ = true_verdict(card, config)
        if record.verdict is not Verdict.ERROR:
            judged += 1
        if record.verdict is expected:
            agreed += 1
        else:
            disagreements.append(f"{record.dut_id}: {record.verdict} vs truth {expected}")
            if record.verdict is Verdict.PASS:
                false_passes += 1
            elif record.verdict is Verdict.FAIL:
                false_fails += 1
        measured = record.measurement("resonance_frequency")
        if (
            measured is not None
            and isinstance(measured.value, float)
            and card.resonance_hz is not None
        ):
            error = abs(measured.value - card.resonance_hz) / card.resonance_hz * 100
            worst = max(worst, error)
    return Score(
        len(records), judged, agreed, false_passes, false_fails, worst, tuple(disagreements)
    )
