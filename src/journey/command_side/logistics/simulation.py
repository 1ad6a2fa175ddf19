"""A simulated carrier: what it will report for a parcel, and how badly it delivers the news.

Everything is decided from a seed and the shipment, so the same booking always plays out the
same way (reproducible demos and tests). The plan is a realistic tracking sequence (dispatched,
in transit, sometimes delayed, out for delivery, delivered), or for a configurable share of
parcels a return to sender after failed delivery attempts. Its webhooks are then delivered the
way real carriers deliver them: late, some twice, some held back until after later ones.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from journey.command_side.logistics.carrier import (
    Booking,
    BookingRequest,
    CarrierUpdate,
    PlannedDelivery,
)
from journey.command_side.logistics.events import ServiceLevel, ShipmentStatus

SIMULATED_CARRIER = "simcarrier"

RETURN_REASONS = (
    "addressee unknown",
    "address incomplete",
    "refused by addressee",
    "not collected within the holding period",
)
DELAY_REASONS = ("weather", "sorting backlog", "vehicle breakdown", "customs hold")
FAILURE_REASONS = ("lost in transit", "damaged in transit")

_TRANSIT_DAYS: dict[str, tuple[int, int]] = {
    "express": (1, 1),
    "priority": (2, 2),
    "standard": (2, 6),
}


@dataclass(frozen=True, slots=True)
class CarrierBehaviour:
    """How the simulated carrier behaves. Rates are per parcel (outcomes) or per webhook
    (duplicates, held-back deliveries); `time_scale` shrinks every duration (e.g. 0.001 turns
    days into minutes for a live demo)."""

    seed: int = 7
    return_rate: float = 0.03
    failure_rate: float = 0.0
    delay_rate: float = 0.15
    duplicate_rate: float = 0.2
    reorder_rate: float = 0.25
    min_latency: timedelta = timedelta(minutes=1)
    max_latency: timedelta = timedelta(minutes=45)
    max_hold_back: timedelta = timedelta(hours=12)
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("return_rate", "failure_rate", "delay_rate", "duplicate_rate", "reorder_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.return_rate + self.failure_rate > 1.0:
            raise ValueError("return_rate + failure_rate cannot exceed 1")
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if self.min_latency > self.max_latency:
            raise ValueError("min_latency cannot exceed max_latency")


@dataclass(frozen=True, slots=True)
class TrackingPlan:
    """What the carrier will report (`updates`, in the order things happen) and when each report
    reaches us (`deliveries`, in arrival order, duplicates included)."""

    tracking_number: str
    booked_at: datetime
    estimated_delivery: datetime
    updates: tuple[CarrierUpdate, ...]
    deliveries: tuple[PlannedDelivery, ...]

    @property
    def outcome(self) -> ShipmentStatus:
        return self.updates[-1].status


def tracking_number_for(shipment_id: str, *, seed: int, prefix: str = "SC") -> str:
    """A stable tracking number for a shipment: prefix, 16 digits, a Luhn check digit."""
    digest = hashlib.sha256(f"{seed}\x1f{shipment_id}".encode()).digest()
    digits = f"{int.from_bytes(digest[:8], 'big') % 10**16:016d}"
    return f"{prefix}{digits}{luhn_digit(digits)}"


def luhn_digit(digits: str) -> int:
    """The Luhn check digit of a string of digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def plan_tracking(
    tracking_number: str,
    booked_at: datetime,
    service_level: ServiceLevel,
    behaviour: CarrierBehaviour,
) -> TrackingPlan:
    """The updates a parcel will go through and the webhook deliveries that report them."""
    rng = random.Random(f"{behaviour.seed}\x1f{tracking_number}")
    scale = behaviour.time_scale

    def hours(low: float, high: float) -> timedelta:
        return timedelta(hours=rng.uniform(low, high) * scale)

    # Draw the outcome first so the other draws do not shift which parcels come back.
    fate = rng.random()
    returned = fate < behaviour.return_rate
    failed = not returned and fate < behaviour.return_rate + behaviour.failure_rate
    low_days, high_days = _TRANSIT_DAYS[service_level]
    transit_days = rng.randint(low_days, high_days)
    estimated = booked_at + timedelta(days=transit_days * scale)

    steps: list[tuple[ShipmentStatus, timedelta, str]] = [
        ("dispatched", hours(3, 20), "collected from the card bureau"),
        ("in_transit", hours(1, 6), "arrived at the sorting centre"),
    ]
    if rng.random() < behaviour.delay_rate:
        steps.append(("delayed", hours(6, 20), rng.choice(DELAY_REASONS)))
        steps.append(("in_transit", hours(4, 12), "on its way again"))
    if failed:
        steps.append(("failed", hours(6, 48), rng.choice(FAILURE_REASONS)))
    else:
        elapsed = sum((step[1] for step in steps), timedelta())
        until_eta = (estimated - booked_at) - elapsed
        steps.append(("out_for_delivery", max(until_eta, hours(2, 6)), "with the courier"))
        if returned:
            reason = rng.choice(RETURN_REASONS)
            steps.append(("delayed", hours(2, 8), f"delivery attempt failed: {reason}"))
            steps.append(("out_for_delivery", hours(18, 26), "second delivery attempt"))
            steps.append(("delayed", hours(2, 8), f"second attempt failed: {reason}"))
            steps.append(("in_transit", hours(4, 12), "returning to sender"))
            steps.append(("returned", hours(24, 72), reason))
        else:
            steps.append(("delivered", hours(1, 8), "delivered to the addressee"))

    updates: list[CarrierUpdate] = []
    moment = booked_at
    for index, (status, after, detail) in enumerate(steps, start=1):
        moment += after
        updates.append(
            CarrierUpdate(
                update_id=f"{tracking_number}-{index:02d}",
                tracking_number=tracking_number,
                status=status,
                occurred_at=moment,
                detail=detail,
            )
        )
    return TrackingPlan(
        tracking_number=tracking_number,
        booked_at=booked_at,
        estimated_delivery=estimated,
        updates=tuple(updates),
        deliveries=_deliveries(updates, behaviour, rng),
    )


def _deliveries(
    updates: list[CarrierUpdate], behaviour: CarrierBehaviour, rng: random.Random
) -> tuple[PlannedDelivery, ...]:
    scale = behaviour.time_scale
    low = behaviour.min_latency.total_seconds() * scale
    high = behaviour.max_latency.total_seconds() * scale
    hold_back = behaviour.max_hold_back.total_seconds() * scale
    planned: list[tuple[datetime, int, PlannedDelivery]] = []
    for order, update in enumerate(updates):
        latency = rng.uniform(low, high)
        if rng.random() < behaviour.reorder_rate:
            latency += rng.uniform(hold_back / 4, hold_back)  # overtaken by later reports
        first = update.occurred_at + timedelta(seconds=latency)
        planned.append((first, order, PlannedDelivery(deliver_at=first, update=update)))
        if rng.random() < behaviour.duplicate_rate:
            again = first + timedelta(seconds=rng.uniform(low, max(high, hold_back)))
            planned.append((again, order, PlannedDelivery(deliver_at=again, update=update)))
    planned.sort(key=lambda item: (item[0], item[1]))
    return tuple(delivery for _, _, delivery in planned)


class SimulatedCarrier:
    """The in-process carrier. Booking is idempotent (the tracking number comes from the
    shipment id) and the booking carries its planned webhook deliveries for the caller to
    schedule durably (`Booking.deliveries`)."""

    def __init__(
        self, behaviour: CarrierBehaviour | None = None, *, name: str = SIMULATED_CARRIER
    ) -> None:
        self.behaviour = behaviour or CarrierBehaviour()
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def plan(
        self, shipment_id: str, booked_at: datetime, service_level: ServiceLevel
    ) -> TrackingPlan:
        number = tracking_number_for(shipment_id, seed=self.behaviour.seed)
        return plan_tracking(number, booked_at, service_level, self.behaviour)

    async def book(self, request: BookingRequest) -> Booking:
        plan = self.plan(request.shipment_id, request.requested_at, request.service_level)
        return Booking(
            carrier=self._name,
            tracking_number=plan.tracking_number,
            service_level=request.service_level,
            booked_at=request.requested_at,
            estimated_delivery=plan.estimated_delivery,
            deliveries=plan.deliveries,
        )
