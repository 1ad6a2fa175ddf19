"""Read models of the journey: each application's status and timeline, and the review queue.

Built from the domain events every service emits (all carry `application_id`) and the saga's
own (stuck, compensating, done). They hold no personal data: only ids, codes, states, times.
"""

from __future__ import annotations

from typing import Any, ClassVar

from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope

JOURNEYS = "journeys"
REVIEW_QUEUE = "review_queue"
PENDING_REVIEW = "review_queue_pending"  # product codes of applications not yet decided
SAGA_PREFIX = "saga.onboarding-"

# event type -> (status it moves the journey to (None: unchanged), a line for the timeline)
MILESTONES: dict[str, tuple[str | None, str]] = {
    "ApplicationSubmitted": ("submitted", "application submitted"),
    "ApplicationScreened": (None, "outside checks answered"),
    "ApplicationApproved": ("approved", "approved"),
    "ApplicationReferred": ("referred", "referred to an analyst"),
    "ReferralDecided": (None, "analyst decided"),
    "ApplicationDeclined": ("declined", "declined"),
    "OfferMade": ("offered", "offer made"),
    "AgreementAccepted": ("accepted", "agreement accepted"),
    "OfferExpired": ("expired", "offer expired"),
    "ApplicationWithdrawn": ("withdrawn", "withdrawn"),
    "AccountOpened": ("account_opened", "account opened"),
    "AccountClosed": (None, "account closed"),
    "CardIssued": ("card_issued", "card issued"),
    "CardCancelled": (None, "card cancelled"),
    "PlasticReserved": ("plastic_reserved", "plastic reserved"),
    "PlasticReleased": (None, "plastic released"),
    "PlasticSpoiled": (None, "plastic spoiled"),
    "FeeCharged": (None, "annual fee charged"),
    "FeeRefunded": (None, "annual fee refunded"),
    "PersonalizationOrdered": ("personalizing", "sent to personalization (pivot)"),
    "CardPersonalized": ("personalized", "card personalized"),
    "CardPrintFailed": ("misprinted", "card misprinted"),
    "CardRfTestPassed": ("quality_passed", "RF test passed"),
    "CardRfTestFailed": ("quality_failed", "RF test failed"),
    "ShipmentCreated": ("shipping", "shipment created"),
    "ShipmentBooked": (None, "booked with the carrier"),
    "ShipmentStatusChanged": (None, "carrier update"),
    "ShipmentDelivered": ("delivered", "delivered"),
    "ShipmentReturned": ("returned", "returned to sender"),
    "ShipmentFailed": ("returned", "delivery failed"),
    "CardActivated": ("active", "card activated"),
    "NotificationSent": (None, "customer notified"),
    "CustomerRecordsUpdated": (None, "CRM and CDP updated"),
    "journey.saga.Stuck": (None, "stuck: operator alerted"),
    "journey.saga.Compensating": ("compensating", "undoing completed steps"),
    "journey.saga.Compensated": ("compensated", "undone"),
    "journey.saga.Completed": (None, "journey over"),
}


class JourneyStatus(Projection):
    """`journeys`: per application, its status, codes, card, shipment, flags and timeline."""

    name = "journey_status"
    collections = (JOURNEYS,)
    event_types: ClassVar[frozenset[str] | None] = frozenset(MILESTONES)

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        application_id = _application_of(envelope)
        if application_id is None:
            return
        journey = await tx.get(JOURNEYS, application_id) or _new(application_id, envelope)
        status, line = MILESTONES[event.event_type]
        line = _line(event, line)
        if status is not None and not journey["done"]:
            journey["status"] = status
        journey["updated_at"] = envelope.time.isoformat()
        entry: dict[str, Any] = {
            "at": envelope.time.isoformat(),
            "what": line,
            "type": event.event_type,
        }
        journey["timeline"].append(entry)
        _details(journey, event)
        # The log position and the journey's state after each entry, and the last position
        # applied: what the event stream (`GET /applications/{id}/events`) starts from, so it
        # need not fold the log from the application's first event.
        entry.update(
            position=envelope.position,
            status=journey["status"],
            stuck=journey["stuck"],
            done=journey["done"],
        )
        journey["position"] = envelope.position
        tx.put(JOURNEYS, application_id, journey)


class ReviewQueue(Projection):
    """`review_queue`: applications waiting for an analyst, oldest first by `referred_at`."""

    name = "review_queue"
    collections = (REVIEW_QUEUE, PENDING_REVIEW)
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        {
            "ApplicationSubmitted",
            "ApplicationReferred",
            "ReferralDecided",
            "ApplicationWithdrawn",
            "journey.saga.Stuck",
        }
    )

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        application_id = _application_of(envelope)
        if application_id is None:
            return
        match event.event_type:
            case "journey.saga.Stuck":
                # A referral waiting past its deadline: the analysts see it flagged as overdue.
                row = await tx.get(REVIEW_QUEUE, application_id)
                if row is not None and envelope.stream_id.startswith(SAGA_PREFIX):
                    row["stuck"] = getattr(event, "reason", "") or "stuck"
                    row["stuck_since"] = envelope.time.isoformat()
                    tx.put(REVIEW_QUEUE, application_id, row)
            case "ApplicationSubmitted":
                tx.put(
                    PENDING_REVIEW,
                    application_id,
                    {"product_code": getattr(event, "product_code", "")},
                )
            case "ApplicationReferred":
                pending = await tx.get(PENDING_REVIEW, application_id) or {}
                tx.put(
                    REVIEW_QUEUE,
                    application_id,
                    {
                        "application_id": application_id,
                        "product_code": pending.get("product_code", ""),
                        "reasons": list(getattr(event, "reasons", [])),
                        "possible_match": any(
                            "POSSIBLE_MATCH" in reason for reason in getattr(event, "reasons", [])
                        ),
                        "referred_at": envelope.time.isoformat(),
                    },
                )
            case "ReferralDecided" | "ApplicationWithdrawn":
                tx.delete(REVIEW_QUEUE, application_id)
                tx.delete(PENDING_REVIEW, application_id)


def _line(event: Event, line: str) -> str:
    """The timeline's words for an event, with the detail that tells one from another."""
    match event.event_type:
        case "NotificationSent":
            milestone = getattr(event, "milestone", "")
            return f"customer notified: {milestone} by {getattr(event, 'channel', '')}"
        case "ShipmentStatusChanged":
            return f"carrier: {getattr(event, 'status', '')}".replace("_", " ")
        case "ShipmentBooked":
            return f"booked with {getattr(event, 'carrier', 'the carrier')}"
        case "ApplicationWithdrawn":
            reason = str(getattr(event, "reason", "") or "")
            if not reason:
                return line
            return reason if reason.startswith("withdrawn") else f"{line} ({reason})"
        case "journey.saga.Stuck" | "journey.saga.Compensating" | "CardCancelled":
            reason = getattr(event, "reason", "")
            return f"{line} ({reason})" if reason else line
    return line


def _application_of(envelope: Envelope[Event]) -> str | None:
    if envelope.stream_id.startswith(SAGA_PREFIX):
        return envelope.stream_id.removeprefix(SAGA_PREFIX)
    found = getattr(envelope.event, "application_id", None)
    return str(found) if found else None


def _new(application_id: str, envelope: Envelope[Event]) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "status": "submitted",
        "customer_id": None,
        "product_code": None,
        "design_code": None,
        "card_last4": None,
        "card_id": None,
        "tracking_number": None,
        "stuck": None,
        "done": False,
        "outcome": None,
        "created_at": envelope.time.isoformat(),
        "updated_at": envelope.time.isoformat(),
        "timeline": [],
    }


def _details(journey: dict[str, Any], event: Event) -> None:
    kind = event.event_type
    if kind == "ApplicationSubmitted":
        journey["customer_id"] = getattr(event, "customer_id", None)
        journey["product_code"] = getattr(event, "product_code", None)
        journey["design_code"] = getattr(event, "design_code", None)
    elif kind == "CardIssued":
        journey["card_id"] = getattr(event, "card_id", None)
        journey["card_last4"] = getattr(event, "pan_last4", None)
    elif kind in ("ShipmentBooked", "ShipmentCreated"):
        journey["tracking_number"] = getattr(event, "tracking_number", None) or journey.get(
            "tracking_number"
        )
    elif kind == "journey.saga.Stuck":
        journey["stuck"] = getattr(event, "reason", "stuck")
    elif kind in ("journey.saga.Completed", "journey.saga.Compensated"):
        journey["done"] = True
        journey["stuck"] = None
        journey["outcome"] = journey["status"]
    elif journey["stuck"] is not None and kind in (
        "CardPersonalized",
        "CardRfTestPassed",
        "ShipmentDelivered",
        "ApplicationApproved",
        "ApplicationDeclined",
    ):
        journey["stuck"] = None  # the late answer came: the journey moves again
