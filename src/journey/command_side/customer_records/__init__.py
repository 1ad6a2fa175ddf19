"""Customer records: the new customer and product in the CRM, their consents in the CDP.

Public names: command `UpdateCustomerRecords`, event `CustomerRecordsUpdated`,
`customer_records_module(crm=..., cdp=..., lookups=...)`.
"""

from journey.command_side.customer_records.aggregate import CustomerRecords
from journey.command_side.customer_records.messages import (
    CUSTOMER_RECORDS_EVENTS,
    CustomerRecordsUpdated,
    GivenConsent,
    UpdateCustomerRecords,
)
from journey.command_side.customer_records.module import customer_records_module
from journey.command_side.customer_records.service import (
    CachedLookups,
    CustomerRecordsService,
    crm_idempotency_key,
    default_legal_basis,
    to_cdp_consent,
)

__all__ = [
    "UpdateCustomerRecords",
    "GivenConsent",
    "CustomerRecordsUpdated",
    "CUSTOMER_RECORDS_EVENTS",
    "customer_records_module",
    "CustomerRecords",
    "CustomerRecordsService",
    "CachedLookups",
    "crm_idempotency_key",
    "to_cdp_consent",
    "default_legal_basis",
]
