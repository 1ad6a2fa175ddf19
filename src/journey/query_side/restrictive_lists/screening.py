"""The restrictive-lists screening service: settings, and the in-process engine.

The engine loads the lists once (a 10,000-entry list in well under a second), then answers each
screening from memory: matching is pure CPU work of about a millisecond, done inline rather than
on a thread. Only the clearance store is awaited.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Self

import structlog
from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from journey.cqrs.clock import Clock, SystemClock
from journey.query_side.restrictive_lists.clearances import ClearanceStore, InMemoryClearanceStore
from journey.query_side.restrictive_lists.entries import ListSet
from journey.query_side.restrictive_lists.lists import load_lists
from journey.query_side.restrictive_lists.matcher import EntryMatch, Matcher
from journey.query_side.restrictive_lists.model import (
    Adjustment,
    Clearance,
    ClearanceRequest,
    Hit,
    ListVersion,
    Outcome,
    ScreeningResult,
    ScreeningSubject,
    Thresholds,
)
from journey.query_side.restrictive_lists.policy import MatchPolicy
from journey.query_side.restrictive_lists.port import ScreeningError
from journey.query_side.restrictive_lists.qualifiers import Query

_DEFAULTS = MatchPolicy()


class ScreeningSettings(BaseSettings):
    """Screening configuration, from `JOURNEY_SCREENING_*` (and `JOURNEY_LISTS_DIR`).

    Thresholds are on the final score (0-1): at or above `match_threshold` a HIT, at or above
    `review_threshold` a POSSIBLE_MATCH for an analyst; a name scoring below
    `drop_threshold` is discarded before the qualifiers are looked at.
    """

    model_config = SettingsConfigDict(
        env_prefix="JOURNEY_SCREENING_", env_file=".env", extra="ignore", populate_by_name=True
    )

    lists_dir: Path | None = Field(
        None,
        validation_alias=AliasChoices("JOURNEY_LISTS_DIR", "JOURNEY_SCREENING_LISTS_DIR"),
        description="directory with sdn.csv, consolidated.xml, pep.csv, internal.csv; "
        "default: the synthetic samples shipped in the package",
    )
    match_threshold: float = Field(_DEFAULTS.match_threshold, gt=0, le=1)
    review_threshold: float = Field(_DEFAULTS.review_threshold, gt=0, le=1)
    drop_threshold: float = Field(_DEFAULTS.drop_threshold, gt=0, le=1)
    screen_weak_aliases: bool = _DEFAULTS.screen_weak_aliases
    weak_alias_factor: float = Field(_DEFAULTS.weak_alias_factor, gt=0, le=1)
    missing_surname_factor: float = Field(_DEFAULTS.missing_surname_factor, gt=0, le=1)
    extra_query_token_weight: float = Field(_DEFAULTS.extra_query_token_weight, ge=0, le=2)
    extra_list_token_weight: float = Field(_DEFAULTS.extra_list_token_weight, ge=0, le=2)
    birth_date_match_bonus: float = Field(_DEFAULTS.birth_date_match_bonus, ge=0, le=0.5)
    birth_date_day_mismatch_penalty: float = Field(
        _DEFAULTS.birth_date_day_mismatch_penalty, ge=0, le=1
    )
    birth_year_mismatch_penalty: float = Field(_DEFAULTS.birth_year_mismatch_penalty, ge=0, le=1)
    country_match_bonus: float = Field(_DEFAULTS.country_match_bonus, ge=0, le=0.5)
    country_mismatch_penalty: float = Field(_DEFAULTS.country_mismatch_penalty, ge=0, le=1)
    gender_mismatch_penalty: float = Field(_DEFAULTS.gender_mismatch_penalty, ge=0, le=1)
    max_hits: int = Field(_DEFAULTS.max_hits, ge=1, le=500)

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> Self:
        if not self.drop_threshold <= self.review_threshold <= self.match_threshold:
            raise ValueError("thresholds must satisfy drop <= review <= match")
        return self

    def policy(self) -> MatchPolicy:
        return MatchPolicy(
            match_threshold=self.match_threshold,
            review_threshold=self.review_threshold,
            drop_threshold=self.drop_threshold,
            extra_query_token_weight=self.extra_query_token_weight,
            extra_list_token_weight=self.extra_list_token_weight,
            missing_surname_factor=self.missing_surname_factor,
            screen_weak_aliases=self.screen_weak_aliases,
            weak_alias_factor=self.weak_alias_factor,
            birth_date_match_bonus=self.birth_date_match_bonus,
            birth_date_day_mismatch_penalty=self.birth_date_day_mismatch_penalty,
            birth_year_mismatch_penalty=self.birth_year_mismatch_penalty,
            country_match_bonus=self.country_match_bonus,
            country_mismatch_penalty=self.country_mismatch_penalty,
            gender_mismatch_penalty=self.gender_mismatch_penalty,
            max_hits=self.max_hits,
        )


class ScreeningEngine:
    """Screens in-process against loaded lists; implements `RestrictiveListScreening`."""

    def __init__(
        self,
        lists: ListSet,
        *,
        policy: MatchPolicy | None = None,
        clearances: ClearanceStore | None = None,
        clock: Clock | None = None,
        indexed: bool = True,
        logger: structlog.typing.FilteringBoundLogger | None = None,
    ) -> None:
        self._log = logger or structlog.get_logger("journey.screening")
        self._policy = policy if policy is not None else MatchPolicy()
        self._matcher = Matcher(lists, self._policy, indexed=indexed)
        self._clearances: ClearanceStore = (
            clearances if clearances is not None else InMemoryClearanceStore()
        )
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._lists = lists
        self._versions = tuple(
            ListVersion(
                name=loaded.name,
                version=loaded.version,
                published=loaded.published,
                entries=len(loaded.entries),
                skipped=loaded.skipped,
                files=loaded.files,
            )
            for loaded in lists.lists
        )
        self._thresholds = Thresholds(
            match=self._policy.match_threshold,
            review=self._policy.review_threshold,
            drop=self._policy.drop_threshold,
        )

    @classmethod
    def from_settings(
        cls,
        settings: ScreeningSettings | None = None,
        *,
        clearances: ClearanceStore | None = None,
        clock: Clock | None = None,
    ) -> ScreeningEngine:
        """Loads the lists the settings name (blocking: file reads and index building)."""
        chosen = settings if settings is not None else ScreeningSettings()
        return cls(
            load_lists(chosen.lists_dir),
            policy=chosen.policy(),
            clearances=clearances,
            clock=clock,
        )

    @classmethod
    async def open(
        cls,
        settings: ScreeningSettings | None = None,
        *,
        clearances: ClearanceStore | None = None,
        clock: Clock | None = None,
    ) -> ScreeningEngine:
        """`from_settings` on a worker thread, for callers on the event loop."""
        return await asyncio.to_thread(
            cls.from_settings, settings, clearances=clearances, clock=clock
        )

    @property
    def policy(self) -> MatchPolicy:
        return self._policy

    @property
    def lists(self) -> ListSet:
        return self._lists

    async def screen(self, subject: ScreeningSubject) -> ScreeningResult:
        query = Query(subject.name, subject.birth_date, subject.country, subject.gender)
        hits: list[Hit] = []
        cleared: list[Hit] = []
        for match in self._matcher.match(query):
            hit = self._hit(match)
            if subject.subject_key is not None and await self._clearances.is_cleared(
                subject.subject_key, hit.list_name, hit.entry_id, hit.list_version
            ):
                cleared.append(hit)
            else:
                hits.append(hit)
        outcome = max((hit.outcome for hit in hits), key=lambda o: o.rank, default=Outcome.CLEAR)
        # Outcome and counts only: names, ids and scores of listed persons stay out of logs.
        self._log.info(
            "screening.screened", outcome=outcome.value, hits=len(hits), cleared=len(cleared)
        )
        return ScreeningResult(
            outcome=outcome,
            hits=tuple(hits[: self._policy.max_hits]),
            cleared=tuple(cleared[: self._policy.max_hits]),
            lists=self._versions,
            thresholds=self._thresholds,
            screened_at=self._clock.now(),
        )

    async def clear_false_positive(self, request: ClearanceRequest) -> Clearance:
        loaded = self._lists.get(request.list_name)
        if loaded is None:
            raise ScreeningError(f"no list named {request.list_name!r}")
        if request.list_version != loaded.version:
            raise ScreeningError(
                f"list {loaded.name} is now at version {loaded.version}, "
                f"not {request.list_version}: screen again and clear what it raises"
            )
        if not any(entry.entry_id == request.entry_id for entry in loaded.entries):
            raise ScreeningError(f"list {loaded.name} has no entry {request.entry_id!r}")
        clearance = Clearance(**request.model_dump(), cleared_at=self._clock.now())
        await self._clearances.clear(clearance)
        self._log.info("screening.cleared", list=loaded.name, list_version=loaded.version)
        return clearance

    async def list_versions(self) -> tuple[ListVersion, ...]:
        return self._versions

    def _hit(self, match: EntryMatch) -> Hit:
        entry = match.entry
        loaded = self._lists.get(entry.list_name)
        return Hit(
            list_name=entry.list_name,
            entry_id=entry.entry_id,
            name=entry.primary_name,
            matched_name=match.matched.text,
            matched_name_kind=match.matched.kind,
            score=match.score,
            name_score=min(1.0, match.name_score),
            outcome=match.outcome,
            adjustments=tuple(Adjustment(feature=f, delta=d) for f, d in match.adjustments),
            topics=entry.topics,
            programs=entry.programs,
            list_version=loaded.version if loaded is not None else "",
            birth_dates=tuple(str(birth) for birth in entry.birth_dates),
            countries=tuple(sorted(entry.countries)),
            gender=entry.gender,
        )
