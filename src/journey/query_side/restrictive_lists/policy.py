"""The numbers screening decides with: thresholds, name-score weights, qualifier adjustments.

Defaults follow established practice (OpenSanctions' logic-v2 weights and OFAC's own search;
see `docs/screening.md`) and are tuned on the labelled benchmark set (`bench/screening.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from journey.query_side.restrictive_lists.model import Outcome


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """How names are scored and what a score means. Scores run from 0 to 1."""

    match_threshold: float = 0.92
    """A final score at or above it is a HIT."""
    review_threshold: float = 0.80
    """A final score at or above it (and below `match_threshold`) is a POSSIBLE_MATCH."""
    drop_threshold: float = 0.70
    """A name scoring below it is discarded before birth date, country and gender are looked at
    (and the index never even scores it: this is what lets it skip most of a list)."""
    extra_query_token_weight: float = 0.8
    """Penalty weight of a token of the screened name that matches nothing in the listed name."""
    extra_list_token_weight: float = 0.2
    """Penalty weight of a token of the listed name left unmatched (missing second surname,
    middle names): much lighter, forms often leave names out."""
    missing_surname_factor: float = 0.8
    """Multiplies the name score when the list marks surnames and none of them matched."""
    screen_weak_aliases: bool = False
    """OFAC does not expect weak AKAs to be screened (FAQ 124); they still show in evidence."""
    weak_alias_factor: float = 0.85
    """Multiplies the score of a weak alias when weak aliases are screened; a weak alias alone
    is never a HIT."""
    birth_date_match_bonus: float = 0.05
    birth_date_day_mismatch_penalty: float = 0.10
    birth_year_mismatch_penalty: float = 0.25
    country_match_bonus: float = 0.02
    country_mismatch_penalty: float = 0.10
    gender_mismatch_penalty: float = 0.20
    max_hits: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.drop_threshold <= self.review_threshold <= self.match_threshold <= 1:
            raise ValueError(
                "thresholds must satisfy 0 < drop <= review <= match <= 1 "
                f"(drop={self.drop_threshold}, review={self.review_threshold}, "
                f"match={self.match_threshold})"
            )

    def classify(self, score: float, *, weak_alias: bool = False) -> Outcome | None:
        """HIT, POSSIBLE_MATCH, or None when the score is below the review band."""
        if score >= self.match_threshold and not weak_alias:
            return Outcome.HIT
        if score >= self.review_threshold:
            return Outcome.POSSIBLE_MATCH
        return None
