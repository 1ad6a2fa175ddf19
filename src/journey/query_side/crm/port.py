"""The CRM port: read by the query side, written by the command side (the same CRM)."""

from __future__ import annotations

from typing import Protocol

from journey.query_side.crm.model import CrmCustomer, CustomerUpsert


class CustomerCrm(Protocol):
    name: str

    async def find_customer(self, country: str, national_id: str) -> CrmCustomer | None: ...

    async def upsert_customer(self, update: CustomerUpsert, *, idempotency_key: str) -> CrmCustomer:
        """Create or update; the same idempotency key twice changes the CRM once."""
        ...
