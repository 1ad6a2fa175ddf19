"""Contactless cards with hidden true properties, drawn from a seeded population.

Each card's properties come from `Random(f"{seed}:{dut_id}")`: the same card id under the same
seed is the same card whatever the order or position it is tested in, so single-site and
multi-site runs measure identical lots. A defective card has exactly one property pushed well out
of its normal range (a detuned antenna, a weak chip...), so a test that fails it must name that
measurement.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

MODULATION_REFERENCE_FIELD = 3.0  # A/m at which `modulation_mv` is defined
MODULATION_FIELD_EXPONENT = 0.4  # load modulation weakens slowly as the field grows


class Defect(StrEnum):
    NONE = "none"
    DETUNED = "detuned"  # resonance far from the design window
    LOW_Q = "low_q"  # lossy antenna
    HIGH_Q = "high_q"  # too selective: bad in multi-card fields
    WEAK_COUPLING = "weak_coupling"  # needs too much field to wake up
    WEAK_MODULATION = "weak_modulation"  # the reader can barely hear it
    HIGH_FIELD_FAILURE = "high_field_failure"  # browns out or resets in a strong field
    DEAD = "dead"  # broken antenna: no resonance, never answers


@dataclass(frozen=True, slots=True)
class CardTruth:
    """What a card really is. `resonance_hz` is None for a card with a broken antenna."""

    dut_id: str
    resonance_hz: float | None
    q: float
    hmin_a_per_m: float
    hmax_a_per_m: float
    modulation_mv: float  # load-modulation amplitude (mV peak at the sense coil) at 3 A/m
    defect: Defect

    def operates(self, field_a_per_m: float) -> bool:
        """Whether the chip is powered and working at this field strength."""
        return (
            self.resonance_hz is not None
            and self.hmin_a_per_m <= field_a_per_m <= self.hmax_a_per_m
        )

    def modulation_at(self, field_a_per_m: float) -> float:
        """Load-modulation amplitude (mV peak) at a field where the card operates."""
        ratio = MODULATION_REFERENCE_FIELD / max(field_a_per_m, 1e-6)
        return float(self.modulation_mv * ratio**MODULATION_FIELD_EXPONENT)


def sideband_dbm(modulation_mv: float) -> float:
    """Level of one load-modulation sideband into 50 Ω: half the modulation amplitude, in dBm."""
    volts_rms = modulation_mv / 1000 / 2 / math.sqrt(2)
    return 10 * math.log10(volts_rms**2 / 50 / 1e-3)


@dataclass(frozen=True, slots=True)
class Population:
    """The lot's distribution. Normal cards sit well inside typical limits; defects well out."""

    defect_rate: float = 0.08
    resonance_mean_hz: float = 15.2e6
    resonance_sd_hz: float = 0.22e6
    q_mean: float = 35.0
    q_sd: float = 3.5
    hmin_mean: float = 0.85
    hmin_sd: float = 0.12
    hmax_range: tuple[float, float] = (10.0, 14.0)
    modulation_median_mv: float = 20.0
    modulation_spread: float = 0.15  # sigma of log(amplitude)

    def __post_init__(self) -> None:
        if not 0 <= self.defect_rate <= 1:
            raise ValueError("defect_rate must be between 0 and 1")

    def draw(self, seed: int, dut_id: str) -> CardTruth:
        rng = random.Random(f"{seed}:{dut_id}")
        truth = CardTruth(
            dut_id=dut_id,
            resonance_hz=rng.gauss(self.resonance_mean_hz, self.resonance_sd_hz),
            q=max(5.0, rng.gauss(self.q_mean, self.q_sd)),
            hmin_a_per_m=max(0.3, rng.gauss(self.hmin_mean, self.hmin_sd)),
            hmax_a_per_m=rng.uniform(*self.hmax_range),
            modulation_mv=self.modulation_median_mv
            * math.exp(rng.gauss(0.0, self.modulation_spread)),
            defect=Defect.NONE,
        )
        if rng.random() >= self.defect_rate:
            return truth
        return _with_defect(truth, rng.choice(DEFECTS), rng)


DEFECTS: tuple[Defect, ...] = (
    Defect.DETUNED,
    Defect.DETUNED,
    Defect.LOW_Q,
    Defect.HIGH_Q,
    Defect.WEAK_COUPLING,
    Defect.WEAK_COUPLING,
    Defect.WEAK_MODULATION,
    Defect.WEAK_MODULATION,
    Defect.HIGH_FIELD_FAILURE,
    Defect.DEAD,
)  # weighted by how often each shows up on a personalization line (illustrative)


def _with_defect(card: CardTruth, defect: Defect, rng: random.Random) -> CardTruth:
    from dataclasses import replace

    if defect is Defect.DETUNED:
        low = rng.random() < 0.5
        hz = rng.uniform(12.2e6, 13.4e6) if low else rng.uniform(17.3e6, 18.6e6)
        return replace(card, resonance_hz=hz, defect=defect)
    if defect is Defect.LOW_Q:
        return replace(card, q=rng.uniform(9.0, 15.0), defect=defect)
    if defect is Defect.HIGH_Q:
        return replace(card, q=rng.uniform(65.0, 85.0), defect=defect)
    if defect is Defect.WEAK_COUPLING:
        return replace(card, hmin_a_per_m=rng.uniform(1.75, 2.7), defect=defect)
    if defect is Defect.WEAK_MODULATION:
        return replace(card, modulation_mv=rng.uniform(1.5, 4.0), defect=defect)
    if defect is Defect.HIGH_FIELD_FAILURE:
        return replace(card, hmax_a_per_m=rng.uniform(4.0, 6.8), defect=defect)
    return replace(card, resonance_hz=None, defect=defect)
