"""Restrictive-list screening as the rest of the query side uses it.

- `ScreeningCheck`: the prequalifier's screener over any `RestrictiveListScreening` (the
  in-process engine or the HTTP adapter), guarded and cached.
- `HttpScreening`: the httpx adapter of the port, for `journey simulators serve` or a real
  screening service.
- `DocumentClearanceStore`: analysts' cleared false positives kept in the event store's
  database, so they survive restarts.
"""

from __future__ import annotations

import hashlib
import time

import httpx
from pydantic import BaseModel

from journey.cqrs.store.model import Commit, PutDocument
from journey.cqrs.store.port import Storage
from journey.query_side.cache import Cache, MemoryCache, cached
from journey.query_side.http.clients import HttpProvider
from journey.query_side.prequalification.model import Applicant, CheckResult, Verdict
from journey.query_side.resilience import Guard, ProviderError
from journey.query_side.restrictive_lists.model import (
    Clearance,
    ClearanceRequest,
    ListVersion,
    Outcome,
    ScreeningResult,
    ScreeningSubject,
)
from journey.query_side.restrictive_lists.port import RestrictiveListScreening
from journey.query_side.subjects import subject_key

SCREENING_TTL = 300.0  # a new listing or a clearance takes effect within five minutes at worst
CUSTOMER_REASON = "we cannot offer this product at the moment"  # never says why: no tipping off
REVIEW_REASON = "we need a little more time to review your application"


class _Versions(BaseModel):
    lists: tuple[ListVersion, ...]


class ScreeningCheck:
    """Screens an applicant and judges the result (HIT fails, POSSIBLE_MATCH refers)."""

    def __init__(
        self,
        screening: RestrictiveListScreening,
        *,
        provider: str = "screening-engine",
        guard: Guard | None = None,
        cache: Cache | None = None,
        ttl: float = SCREENING_TTL,
    ) -> None:
        self.screening = screening
        self.provider = provider
        self.guard = guard or Guard("screening")
        self._cache = cache or MemoryCache()
        self._ttl = ttl

    async def check(self, applicant: Applicant, *, keep_evidence: bool = True) -> CheckResult:
        started = time.perf_counter()
        subject = screening_subject(applicant)
        result, from_cache = await cached(
            self._cache,
            self._key(subject),
            self._ttl,
            ScreeningResult,
            lambda: self._screen(subject),
        )
        verdict = judge_screening(result)
        reasons = [
            f"{hit.outcome.value} {hit.list_name} entry {hit.entry_id} score {hit.score:.2f}"
            for hit in result.hits
        ]
        customer = {
            Verdict.PASS: None,
            Verdict.REFER: REVIEW_REASON,
            Verdict.FAIL: CUSTOMER_REASON,
        }[verdict]
        return CheckResult(
            service="screening",
            verdict=verdict,
            outcome=result.outcome.value,
            reasons=reasons,
            customer_reason=customer,
            provider=self.provider,
            provider_version=",".join(f"{v.name}@{v.version}" for v in result.lists),
            from_cache=from_cache,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
            answer=result.model_dump(mode="json") if keep_evidence else {},
        )

    async def forget(self, subject: ScreeningSubject) -> None:
        """Drop a cached result (after an analyst cleared one of its hits)."""
        await self._cache.delete(self._key(subject))

    async def _screen(self, subject: ScreeningSubject) -> ScreeningResult:
        return await self.guard.call(lambda: self.screening.screen(subject), idempotent=True)

    @staticmethod
    def _key(subject: ScreeningSubject) -> str:
        digest = hashlib.sha256(subject.model_dump_json().encode()).hexdigest()[:32]
        return f"screening:{digest}"


def screening_subject(applicant: Applicant) -> ScreeningSubject:
    """Who `applicant` is, as the screening asks.

    Built without validating again: an `Applicant` is validated as strictly as a
    `ScreeningSubject` on every field they share (a supported country is a known one, the same
    birth-date bounds, the same rule that a name can be screened, shorter limits), and the
    validation cost ~4 % of a prequalification's CPU. `tests/unit/test_screening_subject.py`
    holds that for any applicant, validating the subject gives the same subject.
    """
    return ScreeningSubject.model_construct(
        given_names=applicant.given_names,
        surnames=tuple(applicant.surnames),
        birth_date=applicant.birth_date,
        country=applicant.country,
        gender=applicant.gender if applicant.gender in ("F", "M") else None,
        subject_key=subject_key(applicant.country, applicant.national_id),
    )


def judge_screening(result: ScreeningResult) -> Verdict:
    """A sanctions or internal-blacklist HIT fails; a PEP HIT or any POSSIBLE_MATCH goes to an
    analyst (a politically exposed person may be a customer, after enhanced due diligence)."""
    verdict = Verdict.PASS
    for hit in result.hits:
        if hit.outcome is Outcome.HIT and _prohibits(hit.topics, hit.list_name):
            return Verdict.FAIL
        if hit.outcome is not Outcome.CLEAR:
            verdict = Verdict.REFER
    return verdict


def _prohibits(topics: tuple[str, ...], list_name: str) -> bool:
    prohibiting = {"sanction", "internal.blacklist"}
    return bool(prohibiting.intersection(topics)) or list_name in ("OFAC-SDN", "UN", "INTERNAL")


class HttpScreening(HttpProvider):
    """The screening port over HTTP (`/screening/...` of the simulators server)."""

    def __init__(self, client: httpx.AsyncClient, name: str = "screening") -> None:
        super().__init__(name, client)

    async def screen(self, subject: ScreeningSubject) -> ScreeningResult:
        body = subject.model_dump(mode="json", exclude_none=True)
        result = await self._call("POST", "/screening/screen", ScreeningResult, body=body)
        if result is None:
            raise ProviderError(self.name, "the screening endpoint is missing")
        return result

    async def clear_false_positive(self, request: ClearanceRequest) -> Clearance:
        body = request.model_dump(mode="json")
        clearance = await self._call("POST", "/screening/clearances", Clearance, body=body)
        if clearance is None:
            raise ProviderError(self.name, "the clearance endpoint is missing")
        return clearance

    async def list_versions(self) -> tuple[ListVersion, ...]:
        versions = await self._call("GET", "/screening/lists", _Versions)
        return () if versions is None else versions.lists


class DocumentClearanceStore:
    """Clearances as documents next to the event log (one per person, entry and list version)."""

    COLLECTION = "screening_clearances"

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def is_cleared(
        self, subject_key: str, list_name: str, entry_id: str, list_version: str
    ) -> bool:
        key = self._key(subject_key, list_name, entry_id, list_version)
        return await self._storage.get_document(self.COLLECTION, key) is not None

    async def clear(self, clearance: Clearance) -> None:
        key = self._key(
            clearance.subject_key, clearance.list_name, clearance.entry_id, clearance.list_version
        )
        if await self._storage.get_document(self.COLLECTION, key) is not None:
            return  # the first decision stands
        document = clearance.model_dump(mode="json")
        await self._storage.commit(Commit(documents=[PutDocument(self.COLLECTION, key, document)]))

    @staticmethod
    def _key(subject_key: str, list_name: str, entry_id: str, list_version: str) -> str:
        return f"{subject_key}|{list_name}|{entry_id}|{list_version}"
