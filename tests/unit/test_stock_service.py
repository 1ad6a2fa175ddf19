"""The stock service through the kernel: handlers, idempotency, the read model, queries, seed."""

from __future__ import annotations

from typing import Any

import pytest

from journey.catalog import default_catalog
from journey.command_side.stock import (
    ConsumePlastic,
    GetStockLevel,
    ListStockLevels,
    OutOfStock,
    PlasticStock,
    ReceivePlastics,
    ReleasePlastic,
    ReservePlastic,
    SetReorderPoint,
    SpoilPlastic,
    StockSettings,
    seed_stock,
    stock_module,
)
from journey.cqrs.errors import RuleViolation
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from tests.support.kernel import kernel_on
from tests.unit.test_aggregate_cache import ReplayLog


async def stock_kernel(
    settings: StockSettings | None = None, *, storage: MemoryStorage | None = None, **kernel: Any
) -> Kernel:
    return await kernel_on(storage or MemoryStorage(), modules=[stock_module(settings)], **kernel)


def reserve(card: str, design: str = "gold-sun", app: str | None = None) -> ReservePlastic:
    return ReservePlastic(design_code=design, card_id=card, application_id=app or f"app-{card}")


async def test_the_stock_levels_read_model_follows_every_movement_and_answers_queries() -> None:
    kernel = await stock_kernel(StockSettings(default_reorder_point=3))
    send = kernel.commands.send
    await send(ReceivePlastics(design_code="gold-sun", quantity=6, batch_ref="B1"))
    await send(ReceivePlastics(design_code="gold-night", quantity=50, batch_ref="B1"))
    for card in ("c1", "c2", "c3", "c4"):
        await send(reserve(card))
    await send(ConsumePlastic(design_code="gold-sun", card_id="c1"))
    await send(ReleasePlastic(design_code="gold-sun", card_id="c2", reason="withdrawn"))
    await send(SpoilPlastic(design_code="gold-sun", card_id="c3", reason="misprint"))
    await kernel.settle()

    level = await kernel.queries.ask(GetStockLevel(design_code="gold-sun"))
    assert level is not None
    assert (level.received, level.on_hand, level.reserved, level.available) == (6, 4, 1, 3)
    assert (level.consumed, level.spoiled, level.reorder_point) == (1, 1, 3)
    assert level.low
    assert level.low_reported_at is not None
    assert await kernel.queries.ask(GetStockLevel(design_code="classic-blue")) is None
    every = await kernel.queries.ask(ListStockLevels())
    assert [each.design_code for each in every] == ["gold-night", "gold-sun"]
    low = await kernel.queries.ask(ListStockLevels(low_only=True))
    assert [each.design_code for each in low] == ["gold-sun"]
    await kernel.close()


async def test_the_read_model_counts_what_the_aggregate_counts() -> None:
    kernel = await stock_kernel()
    send = kernel.commands.send
    await send(ReceivePlastics(design_code="start-white", quantity=30, batch_ref="B1"))
    for n in range(12):
        await send(reserve(f"c{n}", "start-white"))
    for n in range(0, 12, 3):
        await send(ConsumePlastic(design_code="start-white", card_id=f"c{n}"))
        await send(SpoilPlastic(design_code="start-white", card_id=f"c{n}", reason="RF test"))
    for n in range(1, 12, 3):
        await send(ReleasePlastic(design_code="start-white", card_id=f"c{n}", reason="withdrawn"))
    await kernel.settle()
    document = await kernel.storage.get_document("stock_levels", "start-white")
    assert document is not None
    stock = PlasticStock("start-white")
    stock.replay(
        [
            (await kernel.codec.decode(r)).event
            for r in await kernel.storage.read_stream("stock-start-white")
        ]
    )
    assert {name: document[name] for name in stock.counts.as_dict()} == stock.counts.as_dict()
    await kernel.close()


async def test_a_reservation_sent_twice_answers_the_same_plastic_and_records_it_once() -> None:
    kernel = await stock_kernel()
    await kernel.commands.send(ReceivePlastics(design_code="gold-sun", quantity=5, batch_ref="B1"))
    first = await kernel.commands.send(reserve("c1"))
    again = await kernel.commands.send(reserve("c1"))
    assert first.value["plastic_serial"] == again.value["plastic_serial"] == "gold-sun-B1-000001"
    assert again.position is None  # nothing written the second time
    events = await kernel.storage.read_stream("stock-gold-sun")
    assert [e.event_type for e in events].count("PlasticReserved") == 1
    await kernel.close()


async def test_reserving_a_design_never_stocked_is_out_of_stock() -> None:
    kernel = await stock_kernel()
    with pytest.raises(OutOfStock, match=r"^out of stock$"):
        await kernel.commands.send(reserve("c1", "platinum-steel"))
    await kernel.close()


async def test_only_the_catalogs_designs_can_be_received() -> None:
    kernel = await stock_kernel()
    with pytest.raises(RuleViolation, match="not a card design"):
        await kernel.commands.send(
            ReceivePlastics(design_code="no-such-design", quantity=5, batch_ref="B1")
        )
    await kernel.close()


async def test_releasing_for_a_design_never_stocked_does_nothing() -> None:
    kernel = await stock_kernel()
    result = await kernel.commands.send(
        ReleasePlastic(design_code="gold-sun", card_id="c1", reason="compensation")
    )
    assert result.value["state"] is None
    assert result.position is None
    await kernel.close()


async def test_reorder_points_come_from_the_settings_and_move_only_by_command() -> None:
    kernel = await stock_kernel(
        StockSettings(default_reorder_point=5, reorder_points={"gold-sun": 40})
    )
    send = kernel.commands.send
    await send(ReceivePlastics(design_code="gold-sun", quantity=100, batch_ref="B1"))
    await send(ReceivePlastics(design_code="gold-night", quantity=100, batch_ref="B1"))
    await send(SetReorderPoint(design_code="gold-night", reorder_point=99))
    await send(reserve("c1", "gold-night"))
    await kernel.settle()
    sun = await kernel.queries.ask(GetStockLevel(design_code="gold-sun"))
    night = await kernel.queries.ask(GetStockLevel(design_code="gold-night"))
    assert sun is not None
    assert night is not None
    assert (sun.reorder_point, night.reorder_point) == (40, 99)
    assert night.low
    assert night.available == 99
    await kernel.close()


async def test_the_seed_receives_one_batch_of_every_catalog_design_however_often_it_runs() -> None:
    kernel = await stock_kernel()
    settings = StockSettings(seed_quantity=25)
    await seed_stock(kernel.commands, settings=settings)
    await seed_stock(kernel.commands, settings=settings)
    await kernel.settle()
    levels = await kernel.queries.ask(ListStockLevels())
    designs = sorted(design.code for design in default_catalog().designs)
    assert [level.design_code for level in levels] == designs
    assert {level.received for level in levels} == {25}
    await kernel.close()


async def test_after_a_restart_a_busy_stock_stream_loads_the_same_state_from_its_snapshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(PlasticStock, "snapshot_every", 5)  # 2,000 as shipped
    storage = ReplayLog()
    kernel = await stock_kernel(storage=storage, snapshot_every=100)
    send = kernel.commands.send
    await send(ReceivePlastics(design_code="gold-sun", quantity=40, batch_ref="B1"))
    serials = [(await send(reserve(f"c{n}"))).value["plastic_serial"] for n in range(23)]
    await send(ReleasePlastic(design_code="gold-sun", card_id="c3", reason="withdrawn"))
    reused = (await send(reserve("c99"))).value["plastic_serial"]
    assert reused == serials[3]
    snapshot = await storage.get_snapshot("stock-gold-sun")
    assert snapshot is not None
    assert snapshot.version % 5 == 0  # the stock's own interval, not the bus's

    # Another process on the same store (or this one restarted): nothing kept in memory yet.
    restarted = await stock_kernel(storage=storage, snapshot_every=100)
    storage.reads.clear()
    again = (await restarted.commands.send(reserve("c7"))).value["plastic_serial"]
    assert again == serials[7]
    assert storage.reads == [("stock-gold-sun", snapshot.version)]  # from the snapshot on
    fresh = (await restarted.commands.send(reserve("c100"))).value["plastic_serial"]
    assert fresh not in serials
    await restarted.close()


async def test_with_snapshots_off_the_stock_takes_none_whatever_its_own_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(PlasticStock, "snapshot_every", 2)
    kernel = await stock_kernel(snapshot_every=None)
    send = kernel.commands.send
    await send(ReceivePlastics(design_code="gold-sun", quantity=10, batch_ref="B1"))
    for n in range(6):
        await send(reserve(f"c{n}"))
    assert await kernel.storage.get_snapshot("stock-gold-sun") is None
    await kernel.close()
