"""CDP lookups for the query side: guarded and cached."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from journey.query_side.cache import Cache, MemoryCache, cached
from journey.query_side.cdp.model import CdpProfile, Identity
from journey.query_side.cdp.port import CustomerDataPlatform
from journey.query_side.resilience import Guard
from journey.query_side.subjects import subject_key

CDP_TTL = 300.0


class CdpLookup(BaseModel):
    model_config = ConfigDict(frozen=True)

    profile: CdpProfile | None
    from_cache: bool = False


class CdpService:
    def __init__(
        self,
        cdp: CustomerDataPlatform,
        *,
        guard: Guard | None = None,
        cache: Cache | None = None,
        ttl: float = CDP_TTL,
    ) -> None:
        self.cdp = cdp
        self.guard = guard or Guard("cdp")
        self._cache = cache or MemoryCache()
        self._ttl = ttl

    async def profile(
        self, country: str, national_id: str, identities: Sequence[Identity]
    ) -> CdpLookup:
        """The person's resolved profile (raises `ProviderUnavailable` when the CDP is down)."""
        every = [Identity(namespace="national_id", value=f"{country}:{national_id}"), *identities]
        answer, hit = await cached(
            self._cache,
            _key(subject_key(country, national_id)),
            self._ttl,
            CdpLookup,
            lambda: self._ask(every),
        )
        return answer.model_copy(update={"from_cache": True}) if hit else answer

    async def forget_subject(self, subject: str) -> None:
        """Drop the cached profile of `subject` (`subject_key`), e.g. once they are erased."""
        await self._cache.delete(_key(subject))

    async def _ask(self, identities: Sequence[Identity]) -> CdpLookup:
        profile = await self.guard.call(lambda: self.cdp.resolve(identities), idempotent=True)
        return CdpLookup(profile=profile)


def _key(subject: str) -> str:
    """The cache key of the CDP profile of `subject` (`subject_key`)."""
    return f"cdp:{subject}"
