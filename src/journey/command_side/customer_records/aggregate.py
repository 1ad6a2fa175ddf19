"""`CustomerRecords`: whether an application's customer was written to the CRM and CDP."""

from __future__ import annotations

from journey.command_side.customer_records.messages import CustomerRecordsUpdated
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.messages import Event


class CustomerRecords(Aggregate):
    """One per application (stream `customer_records-<application_id>`)."""

    category = "customer_records"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.updated: CustomerRecordsUpdated | None = None

    def record_update(
        self,
        *,
        customer_id: str,
        crm_customer_id: str,
        cdp_profile_id: str | None,
        product_code: str,
        account_id: str,
        consents_recorded: int,
    ) -> None:
        if self.updated is not None:
            return  # written once per application; a repeat changes nothing
        self.record(
            CustomerRecordsUpdated(
                application_id=self.id,
                customer_id=customer_id,
                crm_customer_id=crm_customer_id,
                cdp_profile_id=cdp_profile_id,
                product_code=product_code,
                account_id=account_id,
                consents_recorded=consents_recorded,
            )
        )

    def apply(self, event: Event) -> None:
        if isinstance(event, CustomerRecordsUpdated):
            self.updated = event
