"""What the customer records service is asked to do, and what it records."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from journey.cqrs.messages import Command, DataSubject, Event, Personal
from journey.query_side.cdp.model import LegalBasis


class GivenConsent(BaseModel):
    """A consent captured with the application, as the CDP will keep it.

    The application's own shape (`purpose`, `text_version`, `granted`) is enough; what it does
    not say is filled in when recorded: the legal basis from the purpose, the channel
    `onboarding`, the time the records are written. A CDP `Consent` fits too (extra keys are
    ignored).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    purpose: str = Field(min_length=1, max_length=40)
    text_version: str = Field(min_length=1, max_length=80)
    granted: bool
    legal_basis: LegalBasis | None = None
    channel: str | None = Field(None, max_length=40)
    captured_at: datetime | None = None
    withdrawn_at: datetime | None = None


class UpdateCustomerRecords(Command):
    """Push the new customer and their product to the CRM, and their consents to the CDP.

    Idempotent for `application_id`: once recorded, a repeated command changes nothing and
    answers with the first result. `consents` are those captured with the application.
    """

    application_id: str = Field(min_length=1, max_length=100)
    customer_id: DataSubject
    country: str = Field(min_length=2, max_length=2)
    national_id: Personal[str]
    name: Personal[str]
    email: Personal[str] = None
    phone: Personal[str] = None
    product_code: str = Field(min_length=1, max_length=40)
    account_id: str = Field(min_length=1, max_length=100)
    consents: list[GivenConsent] = Field(default_factory=list)


class CustomerRecordsUpdated(Event):
    """The CRM holds the customer with the product, and the CDP their consents.

    Ids and counts only: the personal data lives in the CRM and CDP, not in this event.
    """

    application_id: str
    customer_id: DataSubject
    crm_customer_id: str
    cdp_profile_id: str | None
    product_code: str
    account_id: str
    consents_recorded: int  # sent to the CDP now (those it already held are not counted)


CUSTOMER_RECORDS_EVENTS: tuple[type[Event], ...] = (CustomerRecordsUpdated,)
