"""Limits, marginal bands, resonance analysis of S11 traces, and truth verdicts per defect."""

from __future__ import annotations

import pytest

from journey.testbench.sequences.analysis import NoResonance, Resonance, find_resonance
from journey.testbench.sequences.measurements import Limit, Measured, MeasurementSpec, Outcome
from journey.testbench.simulators.config import SimulationConfig
from journey.testbench.simulators.host import layout_for
from journey.testbench.simulators.physics.bench import Bench
from journey.testbench.simulators.physics.cards import CardTruth, Defect, Population
from journey.testbench.simulators.truth import true_verdict
from journey.testbench.station import load_station

FREQUENCIES = [10e6 + i * 25e3 for i in range(401)]


def test_a_limit_passes_inside_fails_outside_and_flags_the_marginal_band() -> None:
    limit = Limit(low=14e6, high=16.5e6, marginal_low=14.2e6, marginal_high=16.3e6)
    assert limit.judge(15e6) == (Outcome.PASS, False)
    assert limit.judge(14.1e6) == (Outcome.PASS, True)
    assert limit.judge(16.6e6) == (Outcome.FAIL, False)
    assert limit.judge(None) == (Outcome.FAIL, False)  # not measured is never a pass
    assert Limit(expected=True).judge(True) == (Outcome.PASS, False)
    assert Limit(expected=True).judge(False) == (Outcome.FAIL, False)
    assert Limit(high=1.5).judge(True)[0] is Outcome.FAIL  # a boolean is not a number
    with pytest.raises(ValueError, match="above high"):
        Limit(low=2, high=1)
    with pytest.raises(ValueError, match="marginal_low"):
        Limit(low=1, marginal_low=0.5)
    spec = MeasurementSpec("minimum_operating_field", "A/m", Limit(high=1.5, marginal_high=1.3))
    measured = Measured.judge(spec, 1.4)
    assert measured.to_json()["marginal"] is True


def reflection(card: CardTruth | None, *, connected: bool = True) -> list[complex]:
    bench = Bench(layout_for(load_station()), SimulationConfig(seed=5))
    if connected:
        bench.close_relays([1101, 1104], now=0.0, settle_s=0.0)  # VNA -> row 1 -> P1 antenna
    if card is not None:
        bench.cards[1] = card
    return bench.reflection(FREQUENCIES, now=1.0)


@pytest.mark.parametrize(
    ("f0", "q"), [(15.2e6, 35.0), (14.0e6, 20.0), (16.5e6, 55.0), (12.8e6, 12.0), (18.3e6, 80.0)]
)
def test_resonance_and_q_come_out_of_the_trace_within_half_a_percent(f0: float, q: float) -> None:
    card = CardTruth("x", f0, q, 0.9, 12.0, 20.0, Defect.NONE)
    found = find_resonance(FREQUENCIES, reflection(card))
    assert isinstance(found, Resonance)
    assert found.frequency_hz == pytest.approx(f0, rel=0.005)
    assert found.q == pytest.approx(q, rel=0.08)


def test_an_empty_position_or_an_open_route_shows_no_resonance() -> None:
    assert isinstance(find_resonance(FREQUENCIES, reflection(None)), NoResonance)
    card = CardTruth("x", 15e6, 35.0, 0.9, 12.0, 20.0, Defect.NONE)
    opened = find_resonance(FREQUENCIES, reflection(card, connected=False))
    assert isinstance(opened, NoResonance)
    assert "open" in opened.reason


def test_the_card_lot_is_reproducible_from_its_seed_and_has_the_defect_rate() -> None:
    population = Population(defect_rate=0.2)
    first = [population.draw(3, f"C-{i}") for i in range(400)]
    again = [population.draw(3, f"C-{i}") for i in reversed(range(400))]
    assert first == list(reversed(again))
    defective = sum(1 for card in first if card.defect is not Defect.NONE)
    assert 40 <= defective <= 120
    assert population.draw(4, "C-1") != first[1]


@pytest.mark.parametrize(
    ("defect", "failing"),
    [
        (Defect.NONE, []),
        (Defect.DETUNED, ["resonance_frequency"]),
        (Defect.LOW_Q, ["quality_factor"]),
        (Defect.HIGH_Q, ["quality_factor"]),
        (Defect.WEAK_COUPLING, ["minimum_operating_field"]),
        (Defect.WEAK_MODULATION, ["load_modulation_sideband"]),
        (Defect.HIGH_FIELD_FAILURE, ["operates_at_max_field"]),
    ],
)
def test_each_defect_breaks_exactly_its_own_measurement(defect: Defect, failing: list[str]) -> None:
    config = load_station()
    population = Population(defect_rate=1.0 if defect is not Defect.NONE else 0.0)
    cards = (population.draw(9, f"D-{i}") for i in range(2000))
    card = next(card for card in cards if card.defect is defect)
    verdict, names = true_verdict(card, config)
    assert names == failing
    assert verdict.value == ("FAIL" if failing else "PASS")
