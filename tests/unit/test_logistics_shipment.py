"""A shipment takes carrier updates late, twice and out of order, and ends the same way."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journey.command_side.logistics import (
    CarrierBehaviour,
    CarrierUpdate,
    CarrierUpdateRecorded,
    Shipment,
    ShipmentBooked,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentFailed,
    ShipmentReturned,
    ShipmentStatusChanged,
    ShippingLabel,
    TrackingNumberClaim,
    plan_tracking,
)
from journey.cqrs.errors import RuleViolation
from tests.support.logistics import ADDRESS, RECIPIENT

BOOKED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TRACKING = "SC00000000000000017"


def booked_shipment() -> Shipment:
    shipment = Shipment("s1")
    shipment.create(
        application_id="app-1",
        card_id="card-1",
        customer_id="subj-1",
        recipient=RECIPIENT,
        phone=None,
        address=ADDRESS,
        label=ShippingLabel(
            label_id=f"LBL-{TRACKING}",
            carrier="simcarrier",
            tracking_number=TRACKING,
            service_level="standard",
            created_at=BOOKED,
            estimated_delivery=BOOKED + timedelta(days=3),
        ),
        label_pdf="JVBERi0=",
        booked_at=BOOKED,
    )
    shipment.mark_saved()
    return shipment


def update(n: int, status: str, hours: float, detail: str = "") -> CarrierUpdate:
    return CarrierUpdate.model_validate(
        {
            "update_id": f"u{n}",
            "tracking_number": TRACKING,
            "status": status,
            "occurred_at": BOOKED + timedelta(hours=hours),
            "detail": detail,
        }
    )


IN_ORDER = [
    update(1, "dispatched", 5),
    update(2, "in_transit", 8),
    update(3, "delayed", 20, "weather"),
    update(4, "in_transit", 30),
    update(5, "out_for_delivery", 50),
    update(6, "delivered", 53, "delivered to the addressee"),
]


def take(shipment: Shipment, news: CarrierUpdate) -> str:
    return shipment.apply_carrier_update(news.update_id, news.status, news.occurred_at, news.detail)


def test_creating_a_shipment_records_it_with_its_label_then_the_booking() -> None:
    fresh = booked_shipment()
    assert fresh.status == "ordered"
    assert (fresh.carrier, fresh.tracking_number) == ("simcarrier", TRACKING)
    assert fresh.version == 2
    with pytest.raises(RuleViolation, match="exists already"):
        fresh.create(
            application_id="app-1",
            card_id="card-1",
            customer_id="subj-1",
            recipient=RECIPIENT,
            phone=None,
            address=ADDRESS,
            label=ShippingLabel(
                label_id="x",
                carrier="simcarrier",
                tracking_number=TRACKING,
                service_level="standard",
                created_at=BOOKED,
                estimated_delivery=None,
            ),
            label_pdf="",
            booked_at=BOOKED,
        )


def test_updates_in_order_walk_the_states_and_delivery_is_announced_once() -> None:
    shipment = booked_shipment()
    assert [take(shipment, news) for news in IN_ORDER] == ["applied"] * 6
    assert shipment.status == "delivered"
    assert shipment.is_final
    changes = [e for e in shipment.pending_events if isinstance(e, ShipmentStatusChanged)]
    assert [(c.previous_status, c.status) for c in changes] == [
        ("ordered", "dispatched"),
        ("dispatched", "in_transit"),
        ("in_transit", "delayed"),
        ("delayed", "in_transit"),
        ("in_transit", "out_for_delivery"),
        ("out_for_delivery", "delivered"),
    ]
    delivered = [e for e in shipment.pending_events if isinstance(e, ShipmentDelivered)]
    assert len(delivered) == 1
    assert (delivered[0].application_id, delivered[0].card_id) == ("app-1", "card-1")


def test_a_duplicate_update_changes_nothing_and_records_nothing() -> None:
    shipment = booked_shipment()
    take(shipment, IN_ORDER[0])
    shipment.mark_saved()
    assert take(shipment, IN_ORDER[0]) == "duplicate"
    assert shipment.pending_events == []


def test_an_older_update_is_recorded_but_never_moves_the_state_backwards() -> None:
    shipment = booked_shipment()
    take(shipment, IN_ORDER[4])  # out for delivery
    shipment.mark_saved()
    assert take(shipment, IN_ORDER[1]) == "older"
    assert shipment.status == "out_for_delivery"
    [recorded] = shipment.pending_events
    assert isinstance(recorded, CarrierUpdateRecorded)
    assert (recorded.update_id, recorded.outcome) == ("u2", "older")


def test_a_late_in_transit_after_delivery_changes_nothing() -> None:
    shipment = booked_shipment()
    take(shipment, IN_ORDER[5])
    shipment.mark_saved()
    late = update(9, "in_transit", 60, "scanned at the depot")
    assert take(shipment, late) == "after_final"
    assert shipment.status == "delivered"
    assert [type(e) for e in shipment.pending_events] == [CarrierUpdateRecorded]


def test_a_final_update_applies_even_when_a_newer_progress_report_came_first() -> None:
    shipment = booked_shipment()
    take(shipment, update(1, "in_transit", 40, "returning to sender"))
    assert take(shipment, update(2, "returned", 30, "addressee unknown")) == "applied"
    assert shipment.status == "returned"
    returned = [e for e in shipment.pending_events if isinstance(e, ShipmentReturned)]
    assert [(e.reason, e.card_id) for e in returned] == [("addressee unknown", "card-1")]
    assert shipment.final_reason == "addressee unknown"


def test_a_failed_delivery_is_final_with_its_reason() -> None:
    shipment = booked_shipment()
    take(shipment, update(1, "failed", 10, "lost in transit"))
    assert take(shipment, update(2, "delivered", 11)) == "after_final"
    failed = [e for e in shipment.pending_events if isinstance(e, ShipmentFailed)]
    assert [e.reason for e in failed] == ["lost in transit"]
    assert not any(isinstance(e, ShipmentDelivered) for e in shipment.pending_events)


def test_a_newer_report_of_the_same_status_is_recorded_and_becomes_the_reference() -> None:
    shipment = booked_shipment()
    take(shipment, update(1, "in_transit", 10))
    assert take(shipment, update(2, "in_transit", 20)) == "same_status"
    # Older than the second scan, newer than the first: it must not win.
    assert take(shipment, update(3, "dispatched", 15)) == "older"
    assert shipment.status == "in_transit"


def test_updates_for_a_shipment_never_booked_are_refused() -> None:
    with pytest.raises(RuleViolation, match="never booked"):
        take(Shipment("nobody"), IN_ORDER[0])


def test_a_tracking_number_belongs_to_one_shipment() -> None:
    claim = TrackingNumberClaim(TRACKING)
    claim.claim("s1", "simcarrier")
    claim.claim("s1", "simcarrier")
    assert len(claim.pending_events) == 1
    with pytest.raises(RuleViolation, match="another shipment"):
        claim.claim("s2", "simcarrier")


def test_replaying_the_events_rebuilds_the_same_shipment() -> None:
    live = booked_shipment()
    for news in [IN_ORDER[1], IN_ORDER[0], IN_ORDER[4], IN_ORDER[5], IN_ORDER[2]]:
        take(live, news)
    history = live.pending_events
    replayed = Shipment("s1")
    created = ShipmentCreated(
        shipment_id="s1",
        application_id="app-1",
        card_id="card-1",
        customer_id="subj-1",
        recipient=None,
        phone=None,
        address=None,
        service_level="standard",
        label=ShippingLabel(
            label_id="x",
            carrier="simcarrier",
            tracking_number=TRACKING,
            service_level="standard",
            created_at=BOOKED,
            estimated_delivery=None,
        ),
        label_pdf=None,
    )
    booked = ShipmentBooked(
        shipment_id="s1",
        application_id="app-1",
        card_id="card-1",
        carrier="simcarrier",
        tracking_number=TRACKING,
        service_level="standard",
        booked_at=BOOKED,
        estimated_delivery=None,
    )
    replayed.replay([created, booked, *history])
    assert replayed.status == live.status == "delivered"
    for news in IN_ORDER:
        assert take(replayed, news) == take(live, news)


def outcome(shipment: Shipment, arrivals: list[CarrierUpdate]) -> tuple[object, ...]:
    for news in arrivals:
        take(shipment, news)
    events = shipment.pending_events
    finals = [
        (type(e).__name__, e.occurred_at)
        for e in events
        if isinstance(e, ShipmentDelivered | ShipmentReturned | ShipmentFailed)
    ]
    seen = sorted(
        e.update_id for e in events if isinstance(e, ShipmentStatusChanged | CarrierUpdateRecorded)
    )
    return (shipment.status, shipment.final_reason, tuple(finals), tuple(seen))


@settings(max_examples=200, deadline=None)
@given(
    shipment_number=st.integers(min_value=0, max_value=10_000),
    order_seed=st.integers(min_value=0, max_value=2**32),
    returns=st.booleans(),
)
def test_any_arrival_order_with_duplicates_ends_like_the_in_order_one(
    shipment_number: int, order_seed: int, returns: bool
) -> None:
    behaviour = CarrierBehaviour(return_rate=1.0 if returns else 0.0, delay_rate=0.5)
    plan = plan_tracking(TRACKING, BOOKED, "standard", behaviour)
    # Different parcels plan different sequences; vary the booking to vary the plan.
    plan = plan_tracking(f"{TRACKING}{shipment_number}", BOOKED, "standard", behaviour)
    in_order = [u.model_copy(update={"tracking_number": TRACKING}) for u in plan.updates]
    shuffled = in_order + random.Random(order_seed).choices(in_order, k=len(in_order))
    random.Random(order_seed).shuffle(shuffled)
    expected = outcome(booked_shipment(), in_order)
    assert outcome(booked_shipment(), shuffled) == expected
    assert expected[0] == ("returned" if returns else "delivered")
