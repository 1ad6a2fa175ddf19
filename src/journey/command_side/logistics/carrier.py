"""The carrier port: book a shipment (get a tracking number); the carrier reports its progress
later, through webhooks (`journey.command_side.logistics.webhooks`)."""

from __future__ import annotations

from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from journey.command_side.logistics.events import ServiceLevel, ShipmentStatus, ShippingAddress
from journey.cqrs.errors import RuleViolation


class BookingRequest(BaseModel):
    """What a carrier needs to take a parcel. `shipment_id` is our reference and the booking's
    idempotency key: booking the same shipment again answers the first booking."""

    model_config = ConfigDict(frozen=True)

    shipment_id: str = Field(min_length=1, max_length=64)
    service_level: ServiceLevel
    recipient_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    address: ShippingAddress
    requested_at: AwareDatetime


class CarrierUpdate(BaseModel):
    """One tracking event as a carrier reports it."""

    model_config = ConfigDict(frozen=True)

    update_id: str = Field(min_length=1, max_length=128)
    tracking_number: str = Field(min_length=1, max_length=64)
    status: ShipmentStatus
    occurred_at: AwareDatetime
    detail: str = Field("", max_length=500)


class PlannedDelivery(BaseModel):
    """A webhook an in-process carrier will deliver at `deliver_at` (see `Booking.deliveries`)."""

    model_config = ConfigDict(frozen=True)

    deliver_at: AwareDatetime
    update: CarrierUpdate


class Booking(BaseModel):
    """The carrier's answer to a booking.

    `deliveries` is filled only by a carrier that runs inside our process (the simulator): it
    has no server of its own to post webhooks from, so it hands the caller the deliveries it
    plans, and the caller schedules them durably in the booking's own commit. A carrier over
    HTTP leaves it empty and posts its webhooks itself.
    """

    model_config = ConfigDict(frozen=True)

    carrier: str
    tracking_number: str
    service_level: ServiceLevel
    booked_at: AwareDatetime
    estimated_delivery: AwareDatetime | None = None
    deliveries: tuple[PlannedDelivery, ...] = ()


class Carrier(Protocol):
    """Books shipments. Raises `BookingRefused` when the carrier will not take the parcel (a
    broken rule) and `CarrierUnavailable` when it does not answer (worth retrying)."""

    @property
    def name(self) -> str: ...

    async def book(self, request: BookingRequest) -> Booking: ...


class BookingRefused(RuleViolation):
    """The carrier refused the parcel (an address it cannot serve, a bad request)."""


class CarrierUnavailable(Exception):
    """The carrier did not answer, or answered with a failure of its own; retrying may help."""

    def __init__(self, carrier: str, reason: str) -> None:
        super().__init__(f"carrier {carrier}: {reason}")
        self.carrier = carrier
        self.reason = reason
