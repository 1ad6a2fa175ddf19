"""The plastics stock decides alone: counts, serials, idempotency, low-stock alerts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journey.command_side.stock import (
    LowStockReached,
    OutOfStock,
    PlasticConsumed,
    PlasticReleased,
    PlasticReserved,
    PlasticRetired,
    PlasticSpoiled,
    PlasticsReceived,
    PlasticStock,
    ReorderPointSet,
    StockCounts,
    parse_serial,
    plastic_serial,
)
from journey.cqrs.errors import RuleViolation


def stocked(
    quantity: int = 10, *, reorder_point: int = 2, design: str = "gold-sun"
) -> PlasticStock:
    stock = PlasticStock(design)
    stock.receive("B1", quantity, default_reorder_point=reorder_point)
    stock.mark_saved()
    return stock


def recorded(stock: PlasticStock) -> list[type]:
    return [type(event) for event in stock.pending_events]


def test_receiving_a_batch_puts_its_plastics_on_hand_and_sets_the_reorder_point_once() -> None:
    stock = PlasticStock("gold-sun")
    stock.receive("B1", 50, default_reorder_point=20)
    stock.receive("B2", 10, default_reorder_point=99)
    assert recorded(stock) == [ReorderPointSet, PlasticsReceived, PlasticsReceived]
    received = stock.pending_events[1]
    assert isinstance(received, PlasticsReceived)
    assert (received.first_serial, received.last_serial) == (
        "gold-sun-B1-000001",
        "gold-sun-B1-000050",
    )
    assert stock.reorder_point == 20
    assert stock.counts == StockCounts(received=60, on_hand=60)


def test_receiving_the_same_batch_again_changes_nothing_but_a_different_quantity_is_refused() -> (
    None
):
    stock = stocked(10)
    stock.receive("B1", 10, default_reorder_point=2)
    assert stock.pending_events == []
    with pytest.raises(RuleViolation, match="B1"):
        stock.receive("B1", 11, default_reorder_point=2)
    assert stock.counts.on_hand == 10


def test_reservations_take_serials_from_the_oldest_batch_first_and_never_repeat_one() -> None:
    stock = stocked(2)
    stock.receive("B2", 2, default_reorder_point=2)
    serials = [stock.reserve(f"card-{n}", f"app-{n}").serial for n in range(4)]
    assert serials == [
        "gold-sun-B1-000001",
        "gold-sun-B1-000002",
        "gold-sun-B2-000001",
        "gold-sun-B2-000002",
    ]
    assert [parse_serial(serial) for serial in serials][2] == ("gold-sun", "B2", 1)
    with pytest.raises(OutOfStock):
        stock.reserve("card-5", "app-5")


def test_a_serial_splits_back_into_design_batch_and_number_even_when_the_design_has_dashes() -> (
    None
):
    serial = plastic_serial("classic-blue", "B7", 42)
    assert serial == "classic-blue-B7-000042"
    assert parse_serial(serial) == ("classic-blue", "B7", 42)


def test_reserving_when_nothing_is_available_is_refused_as_out_of_stock_and_records_nothing() -> (
    None
):
    stock = stocked(1, reorder_point=0)
    stock.reserve("card-1", "app-1")
    stock.mark_saved()
    with pytest.raises(RuleViolation) as refused:
        stock.reserve("card-2", "app-2")
    assert isinstance(refused.value, OutOfStock)
    assert str(refused.value) == "out of stock"
    assert refused.value.design_code == "gold-sun"
    assert stock.pending_events == []
    assert stock.counts.available == 0


def test_reserving_again_for_the_same_card_answers_the_same_plastic_and_records_nothing() -> None:
    stock = stocked()
    first = stock.reserve("card-1", "app-1")
    stock.mark_saved()
    again = stock.reserve("card-1", "app-1")
    assert again.serial == first.serial
    assert stock.pending_events == []
    assert stock.counts.reserved == 1
    with pytest.raises(RuleViolation, match="another application"):
        stock.reserve("card-1", "app-2")


def test_consuming_takes_the_reserved_plastic_out_of_the_vault_once() -> None:
    stock = stocked(10)
    stock.reserve("card-1", "app-1")
    stock.consume("card-1")
    stock.consume("card-1")
    assert recorded(stock)[-1] is PlasticConsumed
    assert recorded(stock).count(PlasticConsumed) == 1
    consumed = stock.pending_events[-1]
    assert isinstance(consumed, PlasticConsumed)
    assert consumed.application_id == "app-1"
    assert stock.counts == StockCounts(received=10, on_hand=9, reserved=0, consumed=1)


def test_consuming_a_plastic_that_was_never_reserved_or_was_released_is_refused() -> None:
    stock = stocked()
    with pytest.raises(RuleViolation, match="no plastic"):
        stock.consume("card-1")
    stock.reserve("card-1", "app-1")
    stock.release("card-1", "application withdrawn")
    with pytest.raises(RuleViolation, match="released"):
        stock.consume("card-1")


def test_releasing_puts_the_plastic_back_and_it_is_the_next_one_reserved() -> None:
    stock = stocked(10)
    held = stock.reserve("card-1", "app-1")
    stock.reserve("card-2", "app-2")
    released = stock.release("card-1", "card cancelled")
    assert released is not None
    assert recorded(stock)[-1] is PlasticReleased
    assert stock.counts.available == 9
    assert stock.reserve("card-3", "app-3").serial == held.serial
    assert stock.counts == StockCounts(received=10, on_hand=10, reserved=2)


def test_releasing_a_card_without_a_reserved_plastic_records_nothing() -> None:
    stock = stocked()
    assert stock.release("never-reserved", "compensation") is None
    stock.reserve("card-1", "app-1")
    stock.consume("card-1")
    stock.mark_saved()
    stock.release("card-1", "compensation")  # personalized plastics do not go back
    stock.reserve("card-2", "app-2")
    stock.release("card-2", "compensation")
    stock.mark_saved()
    stock.release("card-2", "compensation")
    assert stock.pending_events == []
    assert stock.counts == StockCounts(received=10, on_hand=9, consumed=1)


def test_spoiling_writes_off_a_reserved_or_a_personalized_plastic_once() -> None:
    stock = stocked(10)
    stock.reserve("misprinted", "app-1")
    stock.spoil("misprinted", "misprint")
    stock.reserve("rf-failed", "app-2")
    stock.consume("rf-failed")
    stock.spoil("rf-failed", "failed RF test")
    stock.spoil("rf-failed", "failed RF test")
    spoiled = [e for e in stock.pending_events if isinstance(e, PlasticSpoiled)]
    assert [(e.card_id, e.spoiled_from) for e in spoiled] == [
        ("misprinted", "reserved"),
        ("rf-failed", "consumed"),
    ]
    assert stock.counts == StockCounts(received=10, on_hand=8, consumed=0, spoiled=2)


def test_spoiling_a_released_or_unknown_plastic_is_refused() -> None:
    stock = stocked()
    with pytest.raises(RuleViolation):
        stock.spoil("unknown", "misprint")
    stock.reserve("card-1", "app-1")
    stock.release("card-1", "withdrawn")
    with pytest.raises(RuleViolation, match="released"):
        stock.spoil("card-1", "misprint")


def test_low_stock_is_reached_once_per_crossing_and_again_only_after_restocking_above_it() -> None:
    stock = stocked(5, reorder_point=2)
    for n in range(5):
        stock.reserve(f"card-{n}", "app")
    lows = [e for e in stock.pending_events if isinstance(e, LowStockReached)]
    assert [(e.available, e.reorder_point) for e in lows] == [(2, 2)]
    stock.release("card-0", "cancelled")
    stock.release("card-1", "cancelled")
    stock.release("card-2", "cancelled")  # back above the point, but not restocked
    stock.reserve("card-5", "app")
    assert sum(isinstance(e, LowStockReached) for e in stock.pending_events) == 1
    stock.receive("B2", 1, default_reorder_point=2)  # 2 + 1 = 3 > 2: re-armed
    assert not stock.low_reported
    stock.reserve("card-6", "app")
    lows = [e for e in stock.pending_events if isinstance(e, LowStockReached)]
    assert [e.available for e in lows] == [2, 2]


def test_a_restock_that_stays_at_or_below_the_reorder_point_does_not_re_arm_the_alert() -> None:
    stock = stocked(4, reorder_point=3)
    stock.reserve("card-1", "app")  # 3 left: low
    stock.reserve("card-2", "app")
    stock.receive("B2", 1, default_reorder_point=3)  # 3 again: still at the point
    stock.reserve("card-3", "app")
    assert sum(isinstance(e, LowStockReached) for e in stock.pending_events) == 1
    assert stock.low_reported


def test_changing_the_reorder_point_is_recorded_only_when_it_changes() -> None:
    stock = stocked(10, reorder_point=2)
    stock.set_reorder_point(2)
    assert stock.pending_events == []
    stock.set_reorder_point(9)
    stock.reserve("card-1", "app")
    assert recorded(stock) == [ReorderPointSet, PlasticReserved, LowStockReached]
    with pytest.raises(RuleViolation):
        stock.set_reorder_point(-1)


OPERATIONS = st.lists(
    st.tuples(
        # Reservations weigh more, so runs often drain the stock and meet "out of stock".
        st.sampled_from(
            ["receive", "reserve", "reserve", "reserve", "consume", "release", "spoil"]
        ),
        st.integers(min_value=0, max_value=7),  # which card (or how many to receive)
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(OPERATIONS)
def test_counts_are_conserved_and_never_negative_whatever_the_commands(
    operations: list[tuple[str, int]],
) -> None:
    stock = stocked(3, reorder_point=1)
    batches = 1
    refused_for_stock = 0
    for name, number in operations:
        card = f"card-{number}"
        try:
            if name == "receive":
                batches += 1
                stock.receive(f"B{batches}", number % 2 + 1, default_reorder_point=1)
            elif name == "reserve":
                stock.reserve(card, "app")
            elif name == "consume":
                stock.consume(card)
            elif name == "release":
                stock.release(card, "compensation")
            else:
                stock.spoil(card, "misprint")
        except OutOfStock:
            refused_for_stock += 1
            assert stock.counts.available == 0
        except RuleViolation:
            pass
        counts = stock.counts
        assert min(counts.on_hand, counts.reserved, counts.available) >= 0
        assert min(counts.consumed, counts.spoiled) >= 0
        assert counts.received == counts.on_hand + counts.consumed + counts.spoiled
    replayed = PlasticStock("gold-sun")
    replayed.replay(
        [
            ReorderPointSet(design_code="gold-sun", reorder_point=1),
            PlasticsReceived(
                design_code="gold-sun",
                batch_ref="B1",
                quantity=3,
                first_serial="gold-sun-B1-000001",
                last_serial="gold-sun-B1-000003",
            ),
            *stock.pending_events,
        ]
    )
    assert replayed.counts == stock.counts
    held = [stock.assignment(f"card-{n}") for n in range(8)]
    live_serials = [a.serial for a in held if a is not None and a.state.value == "reserved"]
    assert len(live_serials) == len(set(live_serials)) == stock.counts.reserved


def test_the_plastic_of_an_active_card_is_forgotten_and_its_count_stays_consumed() -> None:
    stock = stocked(5)
    stock.reserve("card-1", "app-1")
    stock.consume("card-1")
    stock.reserve("card-2", "app-2")
    stock.mark_saved()
    before = stock.counts
    retired = stock.retire("card-1")
    assert retired is not None
    assert retired.serial == "gold-sun-B1-000001"
    assert recorded(stock) == [PlasticRetired]
    assert stock.assignment("card-1") is None
    assert stock.counts == before
    state = stock.snapshot_state()
    assert state is not None
    assert set(state["plastics"]) == {"card-2"}  # what a snapshot carries shrinks with it
    stock.mark_saved()
    assert stock.retire("card-1") is None  # a repeat: nothing left to forget
    assert stock.pending_events == []


def test_a_plastic_not_yet_in_a_card_is_not_retired() -> None:
    stock = stocked(5)
    stock.reserve("card-1", "app-1")
    with pytest.raises(RuleViolation, match="only one personalized into its card"):
        stock.retire("card-1")


def test_a_snapshot_restores_the_same_state_as_replaying_the_events() -> None:
    live = PlasticStock("gold-sun")
    live.receive("B1", 4, default_reorder_point=2)
    live.reserve("card-1", "app-1")
    live.reserve("card-2", "app-2")
    live.consume("card-1")
    live.release("card-2", "withdrawn")
    live.reserve("card-3", "app-3")
    state = live.snapshot_state()
    assert state is not None
    restored = PlasticStock("gold-sun")
    restored.restore_state(state)
    assert restored.snapshot_state() == state
    assert restored.counts == live.counts
    assert restored.reserve("card-4", "app-4").serial == live.reserve("card-4", "app-4").serial
    assert restored.reserve("card-3", "app-3").serial == "gold-sun-B1-000002"
