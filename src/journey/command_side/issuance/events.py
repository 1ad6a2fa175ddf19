"""What issuance records. Personal data is typed `Personal[...]`, keyed by `customer_id`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from journey.cqrs.messages import DataSubject, Event, Personal
from journey.cqrs.serialization import EventRegistry
from journey.money import LEGACY_CURRENCY


class PostalAddress(BaseModel):
    """Where the card goes. Personal data: carried only inside `Personal[...]` fields."""

    model_config = ConfigDict(frozen=True)

    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str
    country: str


class ConsentGiven(BaseModel):
    """A consent captured with the application (purpose, the text's version, given or not)."""

    model_config = ConfigDict(frozen=True)

    purpose: str
    text_version: str
    granted: bool


# -- the application ------------------------------------------------------------------------------
class ApplicationSubmitted(Event):
    application_id: str
    customer_id: DataSubject
    country: str
    national_id: Personal[str]
    given_names: Personal[str]
    surnames: Personal[list[str]]
    birth_date: Personal[date]
    email: Personal[str]
    phone: Personal[str]
    address: Personal[PostalAddress]
    product_code: str
    design_code: str
    channel: str
    consents: list[ConsentGiven]


class ApplicationScreened(Event):
    """What the outside systems concluded (their full answers are in the evidence stream)."""

    application_id: str
    prequalification_id: str
    decision: str  # ELIGIBLE | REFER | NOT_ELIGIBLE
    risk_tier: str | None
    outcomes: dict[str, str]  # service -> outcome (CLEAR, VALID, REPORT...)
    evidence_stream: str


class ApplicationApproved(Event):
    """The terms decided: the limit and the fee are whole units of `currency` (ISO 4217)."""

    schema_version = 2  # v2 names the currency (v1 events were all in USD)

    application_id: str
    credit_limit: int
    annual_fee: int
    currency: str
    apr_bps: int
    risk_tier: str | None


class ApplicationReferred(Event):
    application_id: str
    reasons: list[str]  # for analysts only


class ApplicationDeclined(Event):
    application_id: str
    reasons: list[str]  # for analysts only
    customer_reason: str  # neutral: never tips off a sanctions or fraud concern


class ReferralDecided(Event):
    application_id: str
    approve: bool
    analyst: str
    reason: str


class OfferMade(Event):
    """The terms the customer may accept; amounts are whole units of `currency` (ISO 4217)."""

    schema_version = 2  # v2 names the currency (v1 events were all in USD)

    application_id: str
    product_code: str
    design_code: str
    credit_limit: int
    annual_fee: int
    currency: str
    apr_bps: int
    expires_at: datetime
    agreement_text_version: str
    agreement_text_hash: str


class AgreementAccepted(Event):
    """The customer accepted this exact agreement text, then, through this channel."""

    application_id: str
    text_version: str
    text_hash: str
    channel: str
    accepted_at: datetime


class OfferExpired(Event):
    application_id: str


class ApplicationWithdrawn(Event):
    application_id: str
    reason: str


# -- accounts and cards ---------------------------------------------------------------------------
class AccountOpened(Event):
    """A credit line of `credit_limit` whole units of `currency` (ISO 4217)."""

    schema_version = 2  # v2 names the currency (v1 accounts were all in USD)

    account_id: str
    application_id: str
    customer_id: str
    product_code: str
    credit_limit: int
    currency: str


class AccountClosed(Event):
    account_id: str
    application_id: str
    reason: str


class CardIssued(Event):
    """A card number exists; only its last four digits and a token are ever recorded."""

    card_id: str
    account_id: str
    application_id: str
    customer_id: DataSubject
    product_code: str
    design_code: str
    brand: str
    pan_last4: str
    pan_token: str
    expires: str  # MM/YY
    embossed_name: Personal[str]
    reissue_of: str | None = None


class CardCancelled(Event):
    card_id: str
    application_id: str
    reason: str


class PersonalizationOrdered(Event):
    """The pivot: the plastic went to the personalization bureau; there is no way back."""

    card_id: str
    application_id: str
    order_id: str
    plastic_serial: str
    design_code: str


class CardPrintFailed(Event):
    card_id: str
    application_id: str
    plastic_serial: str
    reason: str


class CardDelivered(Event):
    card_id: str
    application_id: str


class CardActivated(Event):
    card_id: str
    application_id: str


def install_upcasters(registry: EventRegistry) -> None:
    """Read issuance events stored in older shapes as the current ones."""

    def with_currency(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "currency": LEGACY_CURRENCY}

    registry.upcaster(ApplicationApproved.event_type, from_version=1)(with_currency)
    registry.upcaster(OfferMade.event_type, from_version=1)(with_currency)
    registry.upcaster(AccountOpened.event_type, from_version=1)(with_currency)
