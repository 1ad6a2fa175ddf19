"""What logistics records. The recipient and the label are personal data, typed `Personal[...]`
and keyed by `customer_id`; every other field is safe to copy into read models and logs."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from journey.cqrs.messages import DataSubject, Event, Personal

ShipmentStatus = Literal[
    "ordered",
    "dispatched",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "delayed",
    "failed",
    "returned",
]
ServiceLevel = Literal["standard", "priority", "express"]

FINAL_STATUSES: frozenset[str] = frozenset({"delivered", "failed", "returned"})
STATUSES: tuple[str, ...] = (
    "ordered",
    "dispatched",
    "in_transit",
    "delayed",
    "out_for_delivery",
    "delivered",
    "failed",
    "returned",
)


class ShippingAddress(BaseModel):
    """Where the card goes. Personal data: only ever carried inside `Personal[...]` fields.

    It has the same fields as issuance's `PostalAddress` and reads from attributes, so the saga
    can pass an application's address as it is."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2)


class ShippingLabel(BaseModel):
    """The label's non-personal facts; the printable document itself is `label_pdf`."""

    model_config = ConfigDict(frozen=True)

    label_id: str
    carrier: str
    tracking_number: str
    service_level: ServiceLevel
    created_at: AwareDatetime
    estimated_delivery: AwareDatetime | None
    media_type: str = "application/pdf"
    page_size_mm: tuple[int, int] = (105, 148)  # A6, the usual parcel label


class ShipmentCreated(Event):
    """A shipment of a card to its holder, with its label (the PDF is base64, encrypted)."""

    shipment_id: str
    application_id: str
    card_id: str
    customer_id: DataSubject
    recipient: Personal[str]  # the addressee's name
    phone: Personal[str]
    address: Personal[ShippingAddress]
    service_level: ServiceLevel
    label: ShippingLabel
    label_pdf: Personal[str]


class ShipmentBooked(Event):
    """The carrier took the shipment and gave it a tracking number."""

    shipment_id: str
    application_id: str
    card_id: str
    carrier: str
    tracking_number: str
    service_level: ServiceLevel
    booked_at: AwareDatetime
    estimated_delivery: AwareDatetime | None


class TrackingNumberAssigned(Event):
    """A tracking number belongs to a shipment (stream `tracking-<number>`): how a carrier's
    update, which names only the tracking number, finds its shipment. Written in the booking's
    commit, so a tracking number can never point at two shipments."""

    tracking_number: str
    carrier: str
    shipment_id: str


class ShipmentStatusChanged(Event):
    """A carrier update became the shipment's current status."""

    shipment_id: str
    application_id: str
    card_id: str
    tracking_number: str
    update_id: str
    previous_status: ShipmentStatus
    status: ShipmentStatus
    occurred_at: AwareDatetime
    detail: str


class CarrierUpdateRecorded(Event):
    """A carrier update that did not change the status, kept for the history and so that its
    `update_id` is known: `older` than the current status, the `same_status` again (a newer
    scan), or `after_final` (the shipment had already reached a final status)."""

    shipment_id: str
    application_id: str
    tracking_number: str
    update_id: str
    status: ShipmentStatus
    occurred_at: AwareDatetime
    detail: str
    outcome: Literal["older", "same_status", "after_final"]


class ShipmentDelivered(Event):
    """Final: the card reached its holder."""

    shipment_id: str
    application_id: str
    card_id: str
    carrier: str
    tracking_number: str
    occurred_at: AwareDatetime
    detail: str


class ShipmentReturned(Event):
    """Final: return to sender; `reason` is the carrier's (addressee unknown, refused...)."""

    shipment_id: str
    application_id: str
    card_id: str
    carrier: str
    tracking_number: str
    occurred_at: AwareDatetime
    reason: str


class ShipmentFailed(Event):
    """Final: the carrier could not deliver and will not return it (lost, damaged)."""

    shipment_id: str
    application_id: str
    card_id: str
    carrier: str
    tracking_number: str
    occurred_at: AwareDatetime
    reason: str


LOGISTICS_EVENTS: tuple[type[Event], ...] = (
    ShipmentCreated,
    ShipmentBooked,
    TrackingNumberAssigned,
    ShipmentStatusChanged,
    CarrierUpdateRecorded,
    ShipmentDelivered,
    ShipmentReturned,
    ShipmentFailed,
)
