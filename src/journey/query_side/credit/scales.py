"""Score scales of different bureaus and their normalization into one risk tier (A best - E).

Each scale maps to tiers by its own cutoffs, set where the scale's own bands lie; the cutoffs are
illustrative (issuers keep real ones secret) and belong in configuration. Sources: FICO 300-850;
DataCrédito Experian 150-950; Buró de Crédito "Mi Score" 356-848 with bands red 356-577,
orange 587-659, yellow 660-696, green 697-848 (see the domain notes).
"""

from __future__ import annotations

from dataclasses import dataclass

from journey.catalog import RiskTier


@dataclass(frozen=True, slots=True)
class ScoreScale:
    model: str
    minimum: int
    maximum: int
    cutoffs: tuple[int, int, int, int]  # lowest score of tiers A, B, C, D; below D is E

    def tier(self, score: int) -> RiskTier:
        if not self.minimum <= score <= self.maximum:
            raise ValueError(f"{score} is outside the {self.model} scale")
        a, b, c, d = self.cutoffs
        if score >= a:
            return "A"
        if score >= b:
            return "B"
        if score >= c:
            return "C"
        if score >= d:
            return "D"
        return "E"

    def from_reference(self, reference: int) -> int:
        """Rescale a 300-850 reference score onto this scale (for the simulated bureaus)."""
        fraction = (reference - 300) / 550
        return round(self.minimum + fraction * (self.maximum - self.minimum))


FICO_LIKE = ScoreScale("FICO-like 300-850", 300, 850, (760, 700, 650, 600))
DATACREDITO = ScoreScale("DataCredito 150-950", 150, 950, (850, 750, 650, 550))
BURO_MI_SCORE = ScoreScale("Buro de Credito Mi Score 356-848", 356, 848, (760, 697, 660, 587))

SCALES = {scale.model: scale for scale in (FICO_LIKE, DATACREDITO, BURO_MI_SCORE)}
