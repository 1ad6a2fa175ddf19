"""Building notifications and customer-records kernels, commands and failing adapters for tests."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage

from journey.command_side.notifications import (
    DeliveryFailed,
    Mailer,
    NotificationFacts,
    NotifyCustomer,
)
from journey.command_side.notifications.messages import Milestone
from journey.cqrs.ids import new_id
from journey.cqrs.privacy.erasure import erase_subject
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.model import Document

NAME = "Ana María Núñez"
EMAIL = "ana.nunez@correo.example"
PHONE = "+5491100000042"
CUSTOMER = "subj-0f3a9c1e2b7d4a5f8e6c0b1a2d3e4f50"

WELCOME_FACTS = NotificationFacts(
    product_code="GOLD",
    card_last4="4242",
    credit_limit=4000,
    annual_fee=60,
    currency="USD",
    agreement_text_version="cardholder-2026-01",
    agreement_text_hash="sha256:" + "7c1e" * 16,
    carrier="Estafeta",
    tracking_number="EST0001234567",
)
OFFER_FACTS = NotificationFacts(
    product_code="GOLD",
    credit_limit=4000,
    apr_bps=2899,
    annual_fee=60,
    offer_expires_at=datetime(2026, 1, 15, tzinfo=UTC),
)


def facts_for(milestone: Milestone) -> NotificationFacts:
    """Facts a milestone's message can be written from, as the saga would pass them."""
    if milestone == "card_shipped":
        return WELCOME_FACTS
    if milestone == "offer_made":
        return OFFER_FACTS
    return NotificationFacts(product_code="GOLD", card_last4="4242")


def notify(
    milestone: Milestone,
    *,
    application_id: str | None = None,
    email: str | None = EMAIL,
    phone: str | None = PHONE,
    name: str | None = NAME,
    customer_id: str = CUSTOMER,
    facts: NotificationFacts | None = None,
) -> NotifyCustomer:
    return NotifyCustomer(
        application_id=application_id or new_id(),
        customer_id=customer_id,
        milestone=milestone,
        email=email,
        phone=phone,
        name=name,
        facts=facts or facts_for(milestone),
    )


class DeliversThenFails:
    """A mailer whose first `times` sends reach the server and then fail, as when the connection
    (or the whole process) dies after the server accepted the message."""

    def __init__(self, inner: Mailer, times: int = 1) -> None:
        self.inner = inner
        self.times = times
        self.calls = 0

    async def send(self, message: EmailMessage) -> None:
        self.calls += 1
        await self.inner.send(message)
        if self.times > 0:
            self.times -= 1
            raise DeliveryFailed("lost the connection after the server accepted the message")


async def stream_types(kernel: Kernel, stream_id: str) -> list[str]:
    return [record.event_type for record in await kernel.storage.read_stream(stream_id)]


async def erase(kernel: Kernel, subject: str) -> None:
    await erase_subject(
        subject,
        reason="customer asked",
        keys=kernel.keys,
        storage=kernel.storage,
        codec=kernel.codec,
        clock=kernel.clock,
    )


def mentions(text: str, secrets: Sequence[str]) -> list[str]:
    """Which of `secrets` occur in `text` (case-insensitive)."""
    return [secret for secret in secrets if re.search(re.escape(secret), text, re.IGNORECASE)]


def document_text(document: Document | None) -> str:
    return repr(document)
