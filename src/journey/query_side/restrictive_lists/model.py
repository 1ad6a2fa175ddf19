"""The screening request and answer, as they travel (JSON over HTTP, events as evidence).

A result is for the bank's own systems and analysts. It must never reach the applicant: a
sanctions hit does not tip the applicant off, so whatever the journey shows them stays neutral.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from journey.query_side.restrictive_lists.countries import is_country_code
from journey.query_side.restrictive_lists.entries import NameKind
from journey.query_side.restrictive_lists.normalize import NAME_RULE, is_screenable


class Outcome(StrEnum):
    """CLEAR < POSSIBLE_MATCH (an analyst decides) < HIT."""

    CLEAR = "CLEAR"
    POSSIBLE_MATCH = "POSSIBLE_MATCH"
    HIT = "HIT"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Outcome.CLEAR: 0, Outcome.POSSIBLE_MATCH: 1, Outcome.HIT: 2}


class ScreeningSubject(BaseModel):
    """Who to screen: a full name, or given names and surnames, and what else we know.

    `subject_key` names the person across screenings (e.g. `"CL:12345678-5"`) so that a false
    positive an analyst cleared is not raised again for them on the same list version.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    full_name: str | None = Field(None, max_length=300)
    given_names: str | None = Field(None, max_length=200)
    surnames: tuple[str, ...] = Field((), max_length=4)
    birth_date: date | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, e.g. CO")
    gender: Literal["F", "M"] | None = None
    subject_key: str | None = Field(None, min_length=1, max_length=100)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if not is_country_code(code):
            raise ValueError("unknown country: use an ISO 3166-1 alpha-2 code such as CO")
        return code

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and not date(1900, 1, 1) <= value <= datetime.now(UTC).date():
            raise ValueError("birth date must be between 1900-01-01 and today")
        return value

    @model_validator(mode="after")
    def _has_a_name(self) -> ScreeningSubject:
        if self.full_name and (self.given_names or self.surnames):
            raise ValueError("give either full_name or given_names/surnames, not both")
        if not is_screenable(self.name):
            raise ValueError(NAME_RULE)
        return self

    @property
    def name(self) -> str:
        """The name as one string (given names first)."""
        if self.full_name:
            return self.full_name
        return " ".join(part for part in (self.given_names, *self.surnames) if part)


class Adjustment(BaseModel):
    """A qualifier that moved a score: what agreed or disagreed, and by how much."""

    model_config = ConfigDict(frozen=True)

    feature: str  # birth_date_match, birth_year_mismatch, country_mismatch, gender_mismatch...
    delta: float


class Hit(BaseModel):
    """A listed person the subject may be."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    list_name: str = Field(alias="list", description="OFAC-SDN, UN, PEP or INTERNAL")
    entry_id: str
    name: str = Field(description="the entry's primary name, as listed")
    matched_name: str = Field(description="the listed name or alias that matched")
    matched_name_kind: NameKind
    score: float = Field(ge=0, le=1, description="name score adjusted by the qualifiers")
    name_score: float = Field(ge=0, le=1)
    outcome: Outcome
    adjustments: tuple[Adjustment, ...] = ()
    topics: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    list_version: str
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    gender: Literal["F", "M"] | None = None


class ListVersion(BaseModel):
    """One list consulted, and the version a clearance on it is tied to."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    published: date | None = None
    entries: int
    skipped: int = Field(0, description="records that are not people, left out")
    files: tuple[str, ...] = ()


class Thresholds(BaseModel):
    """The thresholds a result was decided with."""

    model_config = ConfigDict(frozen=True)

    match: float
    review: float
    drop: float


class ScreeningResult(BaseModel):
    """The outcome (the worst over the hits still standing) and the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    hits: tuple[Hit, ...] = ()
    cleared: tuple[Hit, ...] = Field(
        (), description="hits an analyst already cleared for this person and list version"
    )
    lists: tuple[ListVersion, ...]
    thresholds: Thresholds
    screened_at: datetime


class ClearanceRequest(BaseModel):
    """An analyst's decision that a hit is a false positive for this person."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    subject_key: str = Field(min_length=1, max_length=100)
    list_name: str = Field(min_length=1)
    entry_id: str = Field(min_length=1)
    list_version: str = Field(min_length=1)
    analyst: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=1000)


class Clearance(BaseModel):
    """A remembered clearance: valid for this person, entry and list version only."""

    model_config = ConfigDict(frozen=True)

    subject_key: str
    list_name: str
    entry_id: str
    list_version: str
    analyst: str
    reason: str
    cleared_at: datetime
