"""The shipment of one card, and the claim that ties a tracking number to it.

Carrier updates arrive late, twice, and out of order. The rules that make the outcome the same
whatever the arrival order:

- an update whose `update_id` was seen before changes nothing and records nothing;
- once the status is final (delivered, failed, returned) nothing changes it; later updates are
  only recorded (`after_final`);
- a final update is applied whenever it arrives (a final verdict outranks any progress report);
- any other update becomes current only if it is newer than the current one, ordered by
  (`occurred_at`, progress rank, `update_id`); an older one is only recorded (`older`).

So the status is that of the newest update, or of the final one when there is one; with at most
one final update per shipment (what carriers send) every arrival order ends in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from journey.command_side.logistics.events import (
    FINAL_STATUSES,
    STATUSES,
    CarrierUpdateRecorded,
    ServiceLevel,
    ShipmentBooked,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentFailed,
    ShipmentReturned,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShippingAddress,
    ShippingLabel,
    TrackingNumberAssigned,
)
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Event

UpdateOutcome = Literal["applied", "duplicate", "older", "same_status", "after_final"]

_RANK = {status: rank for rank, status in enumerate(STATUSES)}


def _order(occurred_at: datetime, status: str, update_id: str) -> tuple[datetime, int, str]:
    # Ties on time are broken by progress, then by id, so the order is total and the same
    # whatever order the updates arrived in.
    return (occurred_at, _RANK[status], update_id)


@dataclass(frozen=True, slots=True)
class _Booked:
    application_id: str
    card_id: str
    carrier: str
    tracking_number: str


class Shipment(Aggregate):
    """A card on its way (`shipment-<shipment_id>`)."""

    category = "shipment"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.application_id: str | None = None
        self.card_id: str | None = None
        self.carrier: str | None = None
        self.tracking_number: str | None = None
        self.status: ShipmentStatus | None = None
        self.final_reason: str | None = None
        self._booked: _Booked | None = None
        self._current: tuple[datetime, int, str] | None = None
        self._seen: set[str] = set()

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def matches(self, application_id: str, card_id: str) -> bool:
        return (self.application_id, self.card_id) == (application_id, card_id)

    # -- decisions -------------------------------------------------------------------------------
    def create(
        self,
        *,
        application_id: str,
        card_id: str,
        customer_id: str,
        recipient: str,
        phone: str | None,
        address: ShippingAddress,
        label: ShippingLabel,
        label_pdf: str,
        booked_at: datetime,
    ) -> None:
        """Record the shipment with its label, then the carrier's booking."""
        if self.application_id is not None:
            raise RuleViolation(f"shipment {self.id} exists already")
        service_level: ServiceLevel = label.service_level
        self.record(
            ShipmentCreated(
                shipment_id=self.id,
                application_id=application_id,
                card_id=card_id,
                customer_id=customer_id,
                recipient=recipient,
                phone=phone,
                address=address,
                service_level=service_level,
                label=label,
                label_pdf=label_pdf,
            )
        )
        self.record(
            ShipmentBooked(
                shipment_id=self.id,
                application_id=application_id,
                card_id=card_id,
                carrier=label.carrier,
                tracking_number=label.tracking_number,
                service_level=service_level,
                booked_at=booked_at,
                estimated_delivery=label.estimated_delivery,
            )
        )

    def apply_carrier_update(
        self, update_id: str, status: ShipmentStatus, occurred_at: datetime, detail: str
    ) -> UpdateOutcome:
        """Take one carrier update into account (see the module's rules)."""
        booked, current, previous = self._booked, self._current, self.status
        if booked is None or current is None or previous is None:
            raise RuleViolation(f"shipment {self.id} was never booked")
        if update_id in self._seen:
            return "duplicate"
        if self.is_final:
            self._record_only(booked, update_id, status, occurred_at, detail, "after_final")
            return "after_final"
        if status not in FINAL_STATUSES and _order(occurred_at, status, update_id) <= current:
            self._record_only(booked, update_id, status, occurred_at, detail, "older")
            return "older"
        if status == previous:
            self._record_only(booked, update_id, status, occurred_at, detail, "same_status")
            return "same_status"
        self.record(
            ShipmentStatusChanged(
                shipment_id=self.id,
                application_id=booked.application_id,
                card_id=booked.card_id,
                tracking_number=booked.tracking_number,
                update_id=update_id,
                previous_status=previous,
                status=status,
                occurred_at=occurred_at,
                detail=detail,
            )
        )
        facts = {
            "shipment_id": self.id,
            "application_id": booked.application_id,
            "card_id": booked.card_id,
            "carrier": booked.carrier,
            "tracking_number": booked.tracking_number,
            "occurred_at": occurred_at,
        }
        if status == "delivered":
            self.record(ShipmentDelivered(**facts, detail=detail))
        elif status == "returned":
            self.record(ShipmentReturned(**facts, reason=detail or "returned to sender"))
        elif status == "failed":
            self.record(ShipmentFailed(**facts, reason=detail or "delivery failed"))
        return "applied"

    def _record_only(
        self,
        booked: _Booked,
        update_id: str,
        status: ShipmentStatus,
        occurred_at: datetime,
        detail: str,
        outcome: Literal["older", "same_status", "after_final"],
    ) -> None:
        self.record(
            CarrierUpdateRecorded(
                shipment_id=self.id,
                application_id=booked.application_id,
                tracking_number=booked.tracking_number,
                update_id=update_id,
                status=status,
                occurred_at=occurred_at,
                detail=detail,
                outcome=outcome,
            )
        )

    # -- state -----------------------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        match event:
            case ShipmentCreated(application_id=application_id, card_id=card_id):
                self.application_id = application_id
                self.card_id = card_id
            case ShipmentBooked() as booked:
                self.carrier = booked.carrier
                self.tracking_number = booked.tracking_number
                self.status = "ordered"
                self._current = _order(booked.booked_at, "ordered", "")
                self._booked = _Booked(
                    booked.application_id, booked.card_id, booked.carrier, booked.tracking_number
                )
            case ShipmentStatusChanged(update_id=update_id, status=status, occurred_at=occurred_at):
                self._seen.add(update_id)
                self.status = status
                self._current = _order(occurred_at, status, update_id)
            case CarrierUpdateRecorded(
                update_id=update_id, status=status, occurred_at=occurred_at, outcome=outcome
            ):
                self._seen.add(update_id)
                if outcome == "same_status":
                    self._current = _order(occurred_at, status, update_id)
            case ShipmentReturned(reason=reason) | ShipmentFailed(reason=reason):
                self.final_reason = reason


class TrackingNumberClaim(Aggregate):
    """Which shipment a tracking number belongs to (`tracking-<tracking_number>`)."""

    category = "tracking"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.shipment_id: str | None = None
        self.carrier: str | None = None

    def claim(self, shipment_id: str, carrier: str) -> None:
        if self.shipment_id is not None and self.shipment_id != shipment_id:
            raise RuleViolation(f"tracking number {self.id} belongs to another shipment")
        if self.shipment_id is None:
            self.record(
                TrackingNumberAssigned(
                    tracking_number=self.id, carrier=carrier, shipment_id=shipment_id
                )
            )

    def apply(self, event: Event) -> None:
        if isinstance(event, TrackingNumberAssigned):
            self.shipment_id = event.shipment_id
            self.carrier = event.carrier
