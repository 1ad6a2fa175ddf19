"""Qualifiers: what besides the name makes a listed person more or less likely the subject.

Birth date, country and gender move the name score up or down (additively, as OpenSanctions'
logic-v2 does). Each returns the feature that applied and its delta, or nothing when either
side does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from journey.query_side.restrictive_lists.entries import BirthDate, Gender, ListEntry
from journey.query_side.restrictive_lists.policy import MatchPolicy


@dataclass(frozen=True, slots=True)
class Query:
    """A name to screen and the qualifiers known about the person."""

    name: str
    birth_date: date | None = None
    country: str | None = None
    gender: Gender | None = None


def adjustments(
    query: Query, entry: ListEntry, policy: MatchPolicy
) -> tuple[tuple[str, float], ...]:
    """Every qualifier that applies, as (feature, delta)."""
    found = (
        birth_date_adjustment(query.birth_date, entry.birth_dates, policy),
        country_adjustment(query.country, entry.countries, policy),
        gender_adjustment(query.gender, entry.gender, policy),
    )
    return tuple(item for item in found if item is not None)


def birth_date_adjustment(
    born: date | None, listed: tuple[BirthDate, ...], policy: MatchPolicy
) -> tuple[str, float] | None:
    """The most favourable comparison with any of the listed birth dates (lists give several
    when unsure)."""
    if born is None or not listed:
        return None
    return max(
        (_compare_birth(born, candidate, policy) for candidate in listed), key=lambda a: a[1]
    )


def _compare_birth(born: date, listed: BirthDate, policy: MatchPolicy) -> tuple[str, float]:
    if not listed.covers_year(born.year):
        return "birth_year_mismatch", -policy.birth_year_mismatch_penalty
    if listed.is_exact:
        if (listed.month, listed.day) == (born.month, born.day):
            return "birth_date_match", policy.birth_date_match_bonus
        return "birth_date_day_mismatch", -policy.birth_date_day_mismatch_penalty
    if listed.month is not None and listed.month != born.month:
        return "birth_date_day_mismatch", -policy.birth_date_day_mismatch_penalty
    return "birth_year_match", 0.0


def country_adjustment(
    country: str | None, listed: frozenset[str], policy: MatchPolicy
) -> tuple[str, float] | None:
    if country is None or not listed:
        return None
    if country in listed:
        return "country_match", policy.country_match_bonus
    return "country_mismatch", -policy.country_mismatch_penalty


def gender_adjustment(
    gender: Gender | None, listed: Gender | None, policy: MatchPolicy
) -> tuple[str, float] | None:
    if gender is None or listed is None:
        return None
    if gender == listed:
        return "gender_match", 0.0
    return "gender_mismatch", -policy.gender_mismatch_penalty
