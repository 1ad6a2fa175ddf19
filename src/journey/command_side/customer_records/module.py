"""`customer_records_module`: the customer records service as the kernel installs it."""

from __future__ import annotations

from journey.command_side.customer_records.messages import (
    CUSTOMER_RECORDS_EVENTS,
    UpdateCustomerRecords,
)
from journey.command_side.customer_records.service import CachedLookups, CustomerRecordsService
from journey.cqrs.module import Module
from journey.query_side.cdp.port import CustomerDataPlatform
from journey.query_side.crm.port import CustomerCrm


def customer_records_module(
    *,
    crm: CustomerCrm,
    cdp: CustomerDataPlatform,
    lookups: CachedLookups | None = None,
) -> Module:
    """Command `UpdateCustomerRecords` and event `CustomerRecordsUpdated`.

    `crm`/`cdp`: the simulators (`Simulators.build().crm` / `.cdp`) or the HTTP adapters
    (`HttpCrm`, `HttpCdp`). `lookups`: the query side (or just its CRM lookup service), when it
    runs in the same process, so it stops answering from a cached copy of the customer or of
    their consents.
    """
    service = CustomerRecordsService(crm=crm, cdp=cdp, lookups=lookups)
    return Module(
        name="customer_records",
        events=CUSTOMER_RECORDS_EVENTS,
        commands={UpdateCustomerRecords: service.update},
    )
