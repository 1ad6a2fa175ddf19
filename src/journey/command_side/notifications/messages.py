"""What the notifications service is asked to do, and what it records.

`NotifyCustomer` is the service's public command (the saga sends it at each milestone). It
records `NotificationQueued` and schedules one `DeliverNotification` per channel; each delivery
records `NotificationSent` or, when the recipient is refused for good, `NotificationFailed`.
Splitting the intent from the delivery is what keeps a crash from sending a milestone twice
(docs/decisions/0009-notifications-deliver-once.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journey.cqrs.messages import Command, DataSubject, Event, Personal

Milestone = Literal[
    "application_received",
    "application_declined",
    "application_referred",
    "offer_made",
    "card_shipped",
    "card_delivered",
    "card_activated",
    "application_withdrawn",
]
MILESTONES: tuple[Milestone, ...] = get_args(Milestone)

Channel = Literal["email", "sms"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)

Locale = Literal["en", "es"]
LOCALES: tuple[Locale, ...] = get_args(Locale)


class NotificationFacts(BaseModel):
    """The non-personal data a milestone's templates may show.

    Never a name, an address or a whole card number: personal data travels in the command's
    `Personal` fields (encrypted, erasable), and a card is only ever shown by its last four
    digits (`card_last4`, or `masked_card_number` such as `•••• 4242`, which is reduced to them;
    one showing more digits is refused). Keys the templates do not know are dropped, so nothing
    else a caller adds (decline reasons, say) can reach a customer's message; validation errors
    never echo the values they refuse.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    locale: Locale | None = None
    product_code: str | None = Field(None, max_length=40)
    product_name: str | None = Field(None, max_length=120)
    card_last4: str | None = Field(None, pattern=r"^[0-9]{4}$")
    credit_limit: int | None = Field(None, ge=0)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    apr_bps: int | None = Field(None, ge=0, le=100_000)
    annual_fee: int | None = Field(None, ge=0)
    offer_expires_at: datetime | None = None
    agreement_text_version: str | None = Field(None, max_length=80)
    agreement_text_hash: str | None = Field(None, max_length=160)
    carrier: str | None = Field(None, max_length=80)
    tracking_number: str | None = Field(None, max_length=80)
    tracking_url: str | None = Field(None, max_length=500, pattern=r"^https?://")

    @model_validator(mode="before")
    @classmethod
    def _last4_from_masked_number(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or "masked_card_number" not in data:
            return data
        data = dict(data)
        masked = data.pop("masked_card_number")
        if masked is None:
            return data
        digits = re.sub(r"[^0-9]", "", str(masked))
        if len(digits) != 4:
            raise ValueError("masked_card_number must show exactly the last four digits")
        if data.get("card_last4") is None:
            data["card_last4"] = digits
        return data

    @property
    def masked_card(self) -> str | None:
        """The card as customers see it on statements: `•••• 4242`."""
        return None if self.card_last4 is None else f"\u2022\u2022\u2022\u2022 {self.card_last4}"


REQUIRED_FACTS: Mapping[Milestone, tuple[str, ...]] = {
    "offer_made": ("product_name",),
    "card_shipped": ("product_name", "card_last4"),
}
"""Facts without which a milestone's message would be wrong: the command is refused."""

EXPECTED_FACTS: Mapping[Milestone, tuple[str, ...]] = {
    "offer_made": ("credit_limit",),
    "card_shipped": ("credit_limit", "agreement_text_version", "agreement_text_hash"),
}
"""Facts the message shows when given; without them it is sent anyway (a warning is logged),
since a welcome letter without its credit limit beats no welcome letter."""


def missing_facts(
    milestone: Milestone, facts: NotificationFacts, wanted: Mapping[Milestone, tuple[str, ...]]
) -> list[str]:
    return [name for name in wanted.get(milestone, ()) if getattr(facts, name) is None]


# -- commands --------------------------------------------------------------------------------------
class NotifyCustomer(Command):
    """Tell the customer about a milestone of their application, once per milestone.

    Idempotent for (application_id, milestone): a repeated command changes nothing and answers
    with the first one's result.
    """

    application_id: str = Field(min_length=1, max_length=100)
    customer_id: DataSubject
    milestone: Milestone
    email: Personal[str]
    phone: Personal[str] = None
    name: Personal[str]
    facts: NotificationFacts = Field(default_factory=NotificationFacts)


class DeliverNotification(Command):
    """Deliver a queued milestone on one channel (scheduled by `NotifyCustomer`; retried by the
    scheduler while the channel fails for a passing reason). Carries no personal data: the
    recipient is read from the queued notification, so an erased customer is never contacted."""

    application_id: str = Field(min_length=1, max_length=100)
    milestone: Milestone
    channel: Channel


# -- events ----------------------------------------------------------------------------------------
class NotificationQueued(Event):
    """A milestone's notification was accepted and will be delivered on `channels`.

    Holds what delivery needs, so every attempt renders the same message with the same
    `message_id` and `queued_at` (the email's Date), whoever delivers it and whenever.
    """

    application_id: str
    customer_id: DataSubject
    milestone: str
    message_id: str
    channels: list[str]
    email: Personal[str]
    phone: Personal[str]
    name: Personal[str]
    facts: NotificationFacts
    queued_at: datetime


class NotificationSent(Event):
    """The milestone's message was accepted by the channel's provider."""

    application_id: str
    milestone: str
    channel: str
    message_id: str


class NotificationFailed(Event):
    """The milestone could not be delivered on this channel and will not be retried.

    `reason` is a short code that never quotes the address (`invalid_address`,
    `recipient_refused_550`, `recipient_erased`, `no_contact`, ...).
    """

    application_id: str
    milestone: str
    channel: str
    message_id: str
    reason: str


NOTIFICATION_EVENTS: tuple[type[Event], ...] = (
    NotificationQueued,
    NotificationSent,
    NotificationFailed,
)
