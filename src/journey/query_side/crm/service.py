"""CRM lookups for the query side: guarded, cached briefly (the CRM changes as we write to it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from journey.query_side.cache import Cache, MemoryCache, cached
from journey.query_side.crm.model import CrmCustomer
from journey.query_side.crm.port import CustomerCrm
from journey.query_side.resilience import Guard
from journey.query_side.subjects import subject_key

CRM_TTL = 60.0


class CrmLookup(BaseModel):
    """A CRM answer as cached and recorded: `customer` is None when they are not a customer."""

    model_config = ConfigDict(frozen=True)

    customer: CrmCustomer | None
    from_cache: bool = False


class CrmLookupService:
    def __init__(
        self,
        crm: CustomerCrm,
        *,
        guard: Guard | None = None,
        cache: Cache | None = None,
        ttl: float = CRM_TTL,
    ) -> None:
        self.crm = crm
        self.guard = guard or Guard("crm")
        self._cache = cache or MemoryCache()
        self._ttl = ttl

    async def lookup(self, country: str, national_id: str) -> CrmLookup:
        """Raises `ProviderUnavailable` when the CRM cannot be reached."""
        answer, hit = await cached(
            self._cache,
            _key(subject_key(country, national_id)),
            self._ttl,
            CrmLookup,
            lambda: self._ask(country, national_id),
        )
        return answer.model_copy(update={"from_cache": True}) if hit else answer

    async def forget(self, country: str, national_id: str) -> None:
        """Drop the cached answer (after the command side changed the customer)."""
        await self.forget_subject(subject_key(country, national_id))

    async def forget_subject(self, subject: str) -> None:
        """Drop the cached answer about `subject` (`subject_key`), e.g. once they are erased."""
        await self._cache.delete(_key(subject))

    async def _ask(self, country: str, national_id: str) -> CrmLookup:
        customer = await self.guard.call(
            lambda: self.crm.find_customer(country, national_id), idempotent=True
        )
        return CrmLookup(customer=customer)


def _key(subject: str) -> str:
    """The cache key of what the CRM said about `subject` (`subject_key`)."""
    return f"crm:{subject}"
