"""Citizen validation: check digits first (free, local), then the registry (slow, outside)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from journey.cqrs.clock import Clock, SystemClock
from journey.query_side.cache import Cache, MemoryCache, cached
from journey.query_side.citizen.model import CitizenValidation, RegistryRecord, RegistryStatus
from journey.query_side.citizen.national_ids import IdCheck, validate
from journey.query_side.citizen.port import CivilRegistry
from journey.query_side.population import fold
from journey.query_side.resilience import Guard, ProviderUnavailable
from journey.query_side.subjects import subject_key

REGISTRY_TTL = 24 * 3600.0  # registry status changes rarely; a day is the usual reuse window


class _Lookup(BaseModel):
    """A registry answer as cached: `None` (no such id) is an answer worth remembering too."""

    model_config = ConfigDict(frozen=True)

    record: RegistryRecord | None


class CitizenValidator:
    """Validates an id and looks it up in the civil registry, with a guard and a cache."""

    def __init__(
        self,
        registry: CivilRegistry,
        *,
        guard: Guard | None = None,
        cache: Cache | None = None,
        clock: Clock | None = None,
        ttl: float = REGISTRY_TTL,
    ) -> None:
        self._registry = registry
        self.guard = guard or Guard("registry")
        self._cache = cache or MemoryCache()
        self._clock = clock or SystemClock()
        self._ttl = ttl

    @property
    def registry(self) -> CivilRegistry:
        return self._registry

    async def record(self, country: str, national_id: str) -> RegistryRecord | None:
        """The registry's entry for a valid id, guarded and cached (None when there is none)."""
        check = validate(country, national_id)
        if not check.valid or check.normalized is None:
            return None
        return await self._lookup(check.country, check.normalized)

    async def validate(
        self,
        country: str,
        national_id: str,
        *,
        given_names: str = "",
        surnames: Sequence[str] = (),
        document: str | None = None,
    ) -> CitizenValidation:
        """Check the id, then ask the registry and compare the names given with its record."""
        check = validate(country, national_id, document)
        if not check.valid or check.normalized is None:
            return self._answer(check, "NOT_FOUND", None, None, source="check digits")
        try:
            record, hit = await self._cached_lookup(check.country, check.normalized)
        except ProviderUnavailable:
            return self._answer(check, "UNAVAILABLE", None, None)
        if record is None:
            return self._answer(check, "NOT_FOUND", None, None, from_cache=hit)
        score = name_match(given_names, surnames, record) if (given_names or surnames) else None
        return self._answer(check, record.status, record, score, from_cache=hit)

    async def _lookup(self, country: str, national_id: str) -> RegistryRecord | None:
        return (await self._cached_lookup(country, national_id))[0]

    async def _cached_lookup(
        self, country: str, national_id: str
    ) -> tuple[RegistryRecord | None, bool]:
        key = _key(subject_key(country, national_id))
        found, hit = await cached(
            self._cache, key, self._ttl, _Lookup, lambda: self._ask(country, national_id)
        )
        return found.record, hit

    async def forget_subject(self, subject: str) -> None:
        """Drop the cached registry record of `subject` (`subject_key`), e.g. once erased."""
        await self._cache.delete(_key(subject))

    async def _ask(self, country: str, national_id: str) -> _Lookup:
        record = await self.guard.call(
            lambda: self._registry.lookup(country, national_id), idempotent=True
        )
        return _Lookup(record=record)

    def _answer(
        self,
        check: IdCheck,
        status: RegistryStatus,
        record: RegistryRecord | None,
        score: float | None,
        *,
        source: str | None = None,
        from_cache: bool = False,
    ) -> CitizenValidation:
        return CitizenValidation(
            country=check.country,
            document=check.document,
            id_valid=check.valid,
            id_reason=check.reason,
            has_check_digit=check.has_check_digit,
            normalized_id=check.normalized,
            registry_status=status,
            name_match_score=score,
            registered_name=None if record is None else full_name(record),
            source=source or self._registry.name,
            checked_at=self._clock.now(),
            from_cache=from_cache,
        )


def full_name(record: RegistryRecord) -> str:
    return f"{record.given_names} {' '.join(record.surnames)}"


def name_match(given_names: str, surnames: Sequence[str], record: RegistryRecord) -> float:
    """0-100: how well the applicant's names match the registry's, forgiving order, accents and
    a missing second surname (token set ratio on folded names)."""
    applied = fold(f"{given_names} {' '.join(surnames)}")
    return round(float(fuzz.token_set_ratio(applied, fold(full_name(record)))), 1)


def _key(subject: str) -> str:
    """The cache key of the registry's record of `subject` (`subject_key`)."""
    return f"registry:{subject}"
