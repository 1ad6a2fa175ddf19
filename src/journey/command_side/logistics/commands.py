"""Logistics commands. Personal fields are `Personal[...]` (encrypted if a command is
scheduled, e.g. by the saga)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from journey.command_side.logistics.events import ServiceLevel, ShipmentStatus, ShippingAddress
from journey.cqrs.messages import Command, DataSubject, Personal


class CreateShipment(Command):
    """Ship a card to its holder: book a carrier, make the label. Idempotent for `shipment_id`."""

    shipment_id: str = Field(min_length=1, max_length=64)
    application_id: str = Field(min_length=1, max_length=64)
    card_id: str = Field(min_length=1, max_length=64)
    customer_id: DataSubject
    recipient: Personal[str]  # the addressee's name
    phone: Personal[str] = None
    address: Personal[ShippingAddress]
    service_level: ServiceLevel = "standard"


class ApplyCarrierUpdate(Command):
    """A tracking update from the carrier (a webhook). Idempotent for `update_id`."""

    tracking_number: str = Field(min_length=1, max_length=64)
    update_id: str = Field(min_length=1, max_length=128)
    status: ShipmentStatus
    occurred_at: AwareDatetime
    detail: str = Field("", max_length=500)
