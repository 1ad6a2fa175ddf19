"""The `shipments` read model (one document per shipment, no personal data) and its queries."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from journey.command_side.logistics.events import (
    FINAL_STATUSES,
    CarrierUpdateRecorded,
    ShipmentBooked,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentFailed,
    ShipmentReturned,
    ShipmentStatusChanged,
)
from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event, Query
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope

SHIPMENTS = "shipments"
_EVENTS = (
    ShipmentCreated,
    ShipmentBooked,
    ShipmentStatusChanged,
    CarrierUpdateRecorded,
    ShipmentDelivered,
    ShipmentReturned,
    ShipmentFailed,
)


class ShipmentsProjection(Projection):
    """Status, tracking, carrier and the history of carrier updates of each shipment.

    Only ids, statuses and times are copied: never the recipient, the address or the label, and
    not the carrier's free-text details (they may quote a person); a final reason is kept.
    """

    name = SHIPMENTS
    collections = (SHIPMENTS,)
    event_types: ClassVar[frozenset[str] | None] = frozenset(cls.event_type for cls in _EVENTS)

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        assert isinstance(event, _EVENTS)
        when = envelope.time.isoformat()
        if isinstance(event, ShipmentCreated):
            tx.put(SHIPMENTS, event.shipment_id, _created(event, when))
            return
        document = await tx.get(SHIPMENTS, event.shipment_id)
        if document is None:  # events of one stream arrive in order, so this cannot happen
            raise LookupError(f"shipment {event.shipment_id} has no document")
        match event:
            case ShipmentBooked():
                document.update(
                    carrier=event.carrier,
                    tracking_number=event.tracking_number,
                    status="ordered",
                    status_at=event.booked_at.isoformat(),
                    booked_at=event.booked_at.isoformat(),
                    estimated_delivery=(
                        None
                        if event.estimated_delivery is None
                        else event.estimated_delivery.isoformat()
                    ),
                )
                _history(document, None, "ordered", event.booked_at.isoformat(), applied=True)
            case ShipmentStatusChanged():
                document.update(status=event.status, status_at=event.occurred_at.isoformat())
                document["final"] = event.status in FINAL_STATUSES
                _history(
                    document,
                    event.update_id,
                    event.status,
                    event.occurred_at.isoformat(),
                    applied=True,
                )
            case CarrierUpdateRecorded():
                _history(
                    document,
                    event.update_id,
                    event.status,
                    event.occurred_at.isoformat(),
                    applied=False,
                )
            case ShipmentReturned(reason=reason) | ShipmentFailed(reason=reason):
                document["final_reason"] = reason
            case ShipmentDelivered():
                document["delivered_at"] = event.occurred_at.isoformat()
        document["updated_at"] = when
        tx.put(SHIPMENTS, event.shipment_id, document)


def _created(event: ShipmentCreated, when: str) -> dict[str, Any]:
    return {
        "shipment_id": event.shipment_id,
        "application_id": event.application_id,
        "card_id": event.card_id,
        "service_level": event.service_level,
        "label_id": event.label.label_id,
        "carrier": event.label.carrier,
        "tracking_number": event.label.tracking_number,
        "status": None,
        "status_at": None,
        "final": False,
        "final_reason": None,
        "booked_at": None,
        "estimated_delivery": None,
        "delivered_at": None,
        "history": [],
        "created_at": when,
        "updated_at": when,
    }


def _history(
    document: dict[str, Any], update_id: str | None, status: str, occurred_at: str, *, applied: bool
) -> None:
    history = document["history"]
    history.append(
        {"update_id": update_id, "status": status, "occurred_at": occurred_at, "applied": applied}
    )
    # Kept in the order things happened at the carrier, not the order the news arrived in.
    history.sort(key=lambda entry: (entry["occurred_at"], entry["update_id"] or ""))


class TrackingEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    update_id: str | None  # None for the booking itself
    status: str
    occurred_at: str
    applied: bool  # False: older than the status then current, or after the final one


class ShipmentView(BaseModel):
    """A shipment as the read model knows it."""

    model_config = ConfigDict(frozen=True)

    shipment_id: str
    application_id: str
    card_id: str
    service_level: str
    label_id: str
    carrier: str
    tracking_number: str
    status: str | None
    status_at: str | None
    final: bool
    final_reason: str | None
    booked_at: str | None
    estimated_delivery: str | None
    delivered_at: str | None
    history: list[TrackingEntry]
    created_at: str
    updated_at: str


class GetShipment(Query[ShipmentView | None]):
    shipment_id: str


class ListShipments(Query[list[ShipmentView]]):
    """Shipments, newest first, filtered by any of the given fields."""

    application_id: str | None = None
    tracking_number: str | None = None
    status: str | None = None
    limit: int = 100


async def get_shipment(query: GetShipment, read_models: ReadModels) -> ShipmentView | None:
    document = await read_models.get(SHIPMENTS, query.shipment_id)
    return None if document is None else ShipmentView.model_validate(document)


async def list_shipments(query: ListShipments, read_models: ReadModels) -> list[ShipmentView]:
    where = {
        field: value
        for field, value in (
            ("application_id", query.application_id),
            ("tracking_number", query.tracking_number),
            ("status", query.status),
        )
        if value is not None
    }
    documents = await read_models.find(
        SHIPMENTS,
        where=where or None,
        order_by="created_at",
        descending=True,
        limit=max(1, min(query.limit, 1000)),
    )
    return [ShipmentView.model_validate(document) for document in documents]
