"""The simulated carrier: reproducible plans, realistic sequences, messy deliveries."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from journey.command_side.logistics import (
    FINAL_STATUSES,
    BookingRequest,
    CarrierBehaviour,
    ServiceLevel,
    SimulatedCarrier,
    TrackingPlan,
    plan_tracking,
    tracking_number_for,
)
from journey.command_side.logistics.simulation import RETURN_REASONS, luhn_digit
from tests.support.logistics import ADDRESS, RECIPIENT

BOOKED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def plans(
    count: int, behaviour: CarrierBehaviour, service: ServiceLevel = "standard"
) -> list[TrackingPlan]:
    return [
        plan_tracking(tracking_number_for(f"s{n}", seed=behaviour.seed), BOOKED, service, behaviour)
        for n in range(count)
    ]


def test_the_same_seed_and_shipment_always_play_out_the_same_way() -> None:
    behaviour = CarrierBehaviour(seed=11)
    assert plans(20, behaviour) == plans(20, behaviour)
    assert tracking_number_for("s1", seed=11) != tracking_number_for("s1", seed=12)
    assert tracking_number_for("s1", seed=11) != tracking_number_for("s2", seed=11)


def test_tracking_numbers_carry_a_luhn_check_digit() -> None:
    number = tracking_number_for("shipment-42", seed=7)
    assert number.startswith("SC")
    assert len(number) == 19
    digits = number[2:]
    assert digits.isdigit()
    assert luhn_digit(digits[:-1]) == int(digits[-1])
    assert luhn_digit("7992739871") == 3  # the textbook example


def test_every_plan_moves_forward_in_time_and_ends_in_exactly_one_final_status() -> None:
    for plan in plans(200, CarrierBehaviour(return_rate=0.2, failure_rate=0.1, delay_rate=0.5)):
        times = [update.occurred_at for update in plan.updates]
        assert times == sorted(times)
        assert times[0] > plan.booked_at
        assert plan.updates[0].status == "dispatched"
        finals = [u for u in plan.updates if u.status in FINAL_STATUSES]
        assert finals == [plan.updates[-1]]
        assert len({u.update_id for u in plan.updates}) == len(plan.updates)


def test_a_returned_parcel_was_attempted_twice_and_comes_back_with_a_reason() -> None:
    for plan in plans(20, CarrierBehaviour(return_rate=1.0)):
        statuses = [update.status for update in plan.updates]
        assert statuses[-1] == "returned"
        assert statuses.count("out_for_delivery") == 2
        assert plan.updates[-1].detail in RETURN_REASONS
        assert "delivered" not in statuses


def test_the_default_return_rate_sends_a_few_parcels_back() -> None:
    outcomes = Counter(plan.outcome for plan in plans(2000, CarrierBehaviour()))
    assert set(outcomes) == {"delivered", "returned"}
    assert 20 <= outcomes["returned"] <= 120  # about 3 %
    assert Counter(plan.outcome for plan in plans(300, CarrierBehaviour(return_rate=0))) == {
        "delivered": 300
    }


def test_every_update_is_delivered_late_some_twice_and_some_after_later_ones() -> None:
    behaviour = CarrierBehaviour(duplicate_rate=0.3, reorder_rate=0.3)
    duplicated = overtaken = 0
    for plan in plans(100, behaviour):
        arrivals = [delivery.update.update_id for delivery in plan.deliveries]
        assert set(arrivals) == {update.update_id for update in plan.updates}
        for delivery in plan.deliveries:
            assert delivery.deliver_at >= delivery.update.occurred_at + behaviour.min_latency
        times = [delivery.deliver_at for delivery in plan.deliveries]
        assert times == sorted(times)
        duplicated += len(arrivals) - len(set(arrivals))
        first_seen = list(dict.fromkeys(arrivals))
        overtaken += first_seen != [update.update_id for update in plan.updates]
    assert duplicated > 0
    assert overtaken > 0


def test_without_duplicates_or_hold_backs_the_news_arrives_once_and_in_order() -> None:
    behaviour = CarrierBehaviour(duplicate_rate=0, reorder_rate=0, max_latency=timedelta(minutes=1))
    for plan in plans(50, behaviour):
        assert [d.update for d in plan.deliveries] == list(plan.updates)


def test_the_service_level_sets_the_promised_delivery_and_the_time_scale_shrinks_it_all() -> None:
    def promised(service: ServiceLevel) -> set[timedelta]:
        return {p.estimated_delivery - p.booked_at for p in plans(60, CarrierBehaviour(), service)}

    assert promised("express") == {timedelta(days=1)}
    assert promised("priority") == {timedelta(days=2)}
    assert promised("standard") == {timedelta(days=days) for days in range(2, 7)}
    undelayed = CarrierBehaviour(delay_rate=0, return_rate=0)
    for plan in plans(60, undelayed, "express"):
        assert plan.updates[-1].occurred_at - plan.estimated_delivery <= timedelta(hours=16)
    fast = plans(50, CarrierBehaviour(time_scale=0.001))
    assert max(p.deliveries[-1].deliver_at - p.booked_at for p in fast) < timedelta(minutes=30)


async def test_booking_the_same_shipment_twice_answers_the_same_booking() -> None:
    carrier = SimulatedCarrier(CarrierBehaviour(seed=3))
    request = BookingRequest(
        shipment_id="s1",
        service_level="priority",
        recipient_name=RECIPIENT,
        address=ADDRESS,
        requested_at=BOOKED,
    )
    first = await carrier.book(request)
    assert first == await carrier.book(request)
    assert first.tracking_number == tracking_number_for("s1", seed=3)
    assert first.deliveries
    assert first.estimated_delivery == BOOKED + timedelta(days=2)


def test_impossible_behaviour_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        CarrierBehaviour(return_rate=1.5)
    with pytest.raises(ValueError, match="exceed 1"):
        CarrierBehaviour(return_rate=0.7, failure_rate=0.7)
