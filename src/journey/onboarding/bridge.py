"""Commands the saga sends that need the customer's personal data.

The saga's own stream holds no personal data. When a step needs the customer's name, contact
or address (a notification, the CRM update, the shipment), the saga sends one of these; its
handler reads the application (where the data is encrypted under the customer's key) and
schedules the service's command right away, in this commit — the scheduled copy is encrypted
too, and erasing the customer makes both unreadable.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from journey.catalog import default_catalog
from journey.command_side.customer_records import UpdateCustomerRecords
from journey.command_side.issuance.application import Application
from journey.command_side.issuance.card import Card
from journey.command_side.logistics import CreateShipment
from journey.command_side.notifications import NotifyCustomer
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Command
from journey.cqrs.unit_of_work import UnitOfWork


class NotifyJourneyMilestone(Command):
    """Tell the customer about a milestone (the saga's facts: card digits, tracking number)."""

    application_id: str
    milestone: str
    facts: dict[str, Any] = Field(default_factory=dict)


class PushCustomerRecords(Command):
    """Write the new customer and product to the CRM and the consents to the CDP."""

    application_id: str
    account_id: str


class ShipCard(Command):
    """Ship the card to the address on the application."""

    application_id: str
    card_id: str
    shipment_id: str


def _contact(application: Application) -> tuple[str, str, str]:
    if application.email is None or application.given_names is None:
        raise RuleViolation("the customer's contact data was erased")
    surname = (application.surnames or [""])[0]
    return application.email, application.phone or "", f"{application.given_names} {surname}"


def _facts(application: Application, saga_facts: dict[str, Any]) -> dict[str, Any]:
    """What the customer's message may show: the offer's terms from the application, the
    card's last digits and the tracking number from the saga. Nothing personal."""
    product = default_catalog().product(application.product_code)
    facts: dict[str, Any] = {
        "product_code": product.code,
        "product_name": product.name,
        "annual_fee": application.annual_fee,
        "currency": application.currency or None,  # as approved (None before any approval)
        "offer_expires_at": application.offer_expires_at,
        "agreement_text_version": application.agreement_version,
        "agreement_text_hash": application.agreement_hash,
    }
    if application.credit_limit:
        facts["credit_limit"] = application.credit_limit
        facts["apr_bps"] = application.apr_bps
    facts.update(saga_facts)
    return {key: value for key, value in facts.items() if value is not None}


async def notify_journey_milestone(command: NotifyJourneyMilestone, uow: UnitOfWork) -> Any:
    application = await uow.get(Application, command.application_id)
    email, phone, name = _contact(application)
    await uow.schedule(
        NotifyCustomer(
            application_id=application.id,
            customer_id=application.customer_id,
            milestone=command.milestone,
            email=email,
            phone=phone,
            name=name,
            facts=_facts(application, command.facts),
        ),
        at=uow.clock.now(),
        message_id=f"notify-{application.id}-{command.milestone}",
    )
    return {"milestone": command.milestone}


async def push_customer_records(command: PushCustomerRecords, uow: UnitOfWork) -> Any:
    application = await uow.get(Application, command.application_id)
    email, phone, name = _contact(application)
    assert application.national_id is not None
    await uow.schedule(
        UpdateCustomerRecords(
            application_id=application.id,
            customer_id=application.customer_id,
            country=application.country,
            national_id=application.national_id,
            name=name,
            email=email,
            phone=phone,
            product_code=application.product_code,
            account_id=command.account_id,
            consents=[c.model_dump() for c in application.consents],
        ),
        at=uow.clock.now(),
        message_id=f"records-{application.id}",
    )
    return {"scheduled": True}


async def ship_card(command: ShipCard, uow: UnitOfWork) -> Any:
    application = await uow.get(Application, command.application_id)
    card = await uow.get(Card, command.card_id)
    if application.address is None:
        raise RuleViolation("the customer's address was erased")
    _, phone, name = _contact(application)
    await uow.schedule(
        CreateShipment(
            shipment_id=command.shipment_id,
            application_id=application.id,
            card_id=card.id,
            customer_id=application.customer_id,
            recipient=name,
            phone=phone,
            address=application.address,
        ),
        at=uow.clock.now(),
        message_id=f"ship-{command.shipment_id}",
    )
    return {"shipment_id": command.shipment_id, "pan_last4": card.pan_last4}
