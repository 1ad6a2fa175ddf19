"""Concurrent journeys compete for the last plastics of a design: exactly what is left is
reserved, the others hear "out of stock", and no count is ever lost or doubled.

Two kernels share one store (two processes' worth of buses, each with its own in-process stream
locks), so reservations really race and lose on the store's optimistic concurrency check.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from journey.command_side.stock import (
    ConsumePlastic,
    GetStockLevel,
    OutOfStock,
    PlasticStock,
    ReceivePlastics,
    ReleasePlastic,
    ReservePlastic,
    SpoilPlastic,
    stock_module,
)
from journey.cqrs.bus.command_bus import CommandResult
from journey.cqrs.clock import ManualClock
from journey.cqrs.messages import Command
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.errors import ConcurrencyError
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.sqlite import SqliteStorage
from tests.support.kernel import kernel_on

DESIGN = "platinum-steel"


@pytest.fixture(params=["memory", "sqlite"])
async def kernels(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[list[Kernel]]:
    clock = ManualClock()
    if request.param == "memory":
        shared = MemoryStorage()
        stores = [shared, shared]
    else:
        db = tmp_path / "journey.db"
        stores = [await SqliteStorage(db).open(), await SqliteStorage(db).open()]
    running = [await kernel_on(store, modules=[stock_module()], clock=clock) for store in stores]
    yield running
    for kernel in running:
        await kernel.stop()
    for store in {id(store): store for store in stores}.values():
        await store.close()


async def send_like_a_journey(kernel: Kernel, command: Command) -> CommandResult:
    """Send as the scheduler would: a lost race that outlasts the bus's own retries is a passing
    failure, so the command is sent again."""
    for _ in range(50):
        try:
            return await kernel.commands.send(command)
        except ConcurrencyError:
            await asyncio.sleep(random.uniform(0, 0.005))
    raise AssertionError("the command never got through")


async def stock_of(kernel: Kernel) -> PlasticStock:
    stock = PlasticStock(DESIGN)
    records = await kernel.storage.read_stream(f"stock-{DESIGN}")
    stock.replay([(await kernel.codec.decode(record)).event for record in records])
    return stock


async def test_journeys_racing_for_the_last_plastics_reserve_exactly_what_is_left(
    kernels: list[Kernel],
) -> None:
    left, journeys = 7, 60
    await kernels[0].commands.send(
        ReceivePlastics(design_code=DESIGN, quantity=left, batch_ref="LAST")
    )

    async def journey(n: int) -> str | None:
        command = ReservePlastic(design_code=DESIGN, card_id=f"card-{n}", application_id=f"a{n}")
        try:
            result = await send_like_a_journey(kernels[n % 2], command)
        except OutOfStock:
            return None
        serial: str = result.value["plastic_serial"]
        return serial

    outcomes = await asyncio.gather(*(journey(n) for n in range(journeys)))
    serials = [serial for serial in outcomes if serial is not None]
    assert len(serials) == left
    assert len(set(serials)) == left  # one physical plastic per card
    assert outcomes.count(None) == journeys - left

    stock = await stock_of(kernels[0])
    assert stock.counts.as_dict() == {
        "received": left,
        "on_hand": left,
        "reserved": left,
        "consumed": 0,
        "spoiled": 0,
        "available": 0,
    }
    await kernels[0].settle()
    level = await kernels[0].queries.ask(GetStockLevel(design_code=DESIGN))
    assert level is not None
    assert (level.reserved, level.available) == (left, 0)


async def test_racing_reservations_releases_and_write_offs_conserve_every_plastic(
    kernels: list[Kernel],
) -> None:
    await kernels[0].commands.send(ReceivePlastics(design_code=DESIGN, quantity=10, batch_ref="B1"))

    async def journey(n: int) -> str:
        kernel = kernels[n % 2]
        card = f"card-{n}"
        try:
            await send_like_a_journey(
                kernel, ReservePlastic(design_code=DESIGN, card_id=card, application_id=f"a{n}")
            )
        except OutOfStock:
            return "out of stock"
        await asyncio.sleep(0)
        match n % 3:
            case 0:  # withdrawn: the plastic goes back for someone else
                await send_like_a_journey(
                    kernel, ReleasePlastic(design_code=DESIGN, card_id=card, reason="withdrawn")
                )
                return "released"
            case 1:
                await send_like_a_journey(kernel, ConsumePlastic(design_code=DESIGN, card_id=card))
                return "consumed"
            case _:
                await send_like_a_journey(
                    kernel, SpoilPlastic(design_code=DESIGN, card_id=card, reason="misprint")
                )
                return "spoiled"

    outcomes = await asyncio.gather(*(journey(n) for n in range(40)))
    stock = await stock_of(kernels[1])
    counts = stock.counts
    assert counts.consumed == outcomes.count("consumed")
    assert counts.spoiled == outcomes.count("spoiled")
    assert counts.reserved == 0
    assert counts.received == 10 == counts.on_hand + counts.consumed + counts.spoiled
    assert min(counts.on_hand, counts.available) >= 0
    await kernels[1].settle()
    level = await kernels[1].queries.ask(GetStockLevel(design_code=DESIGN))
    assert level is not None
    assert (level.on_hand, level.consumed, level.spoiled, level.reserved) == (
        counts.on_hand,
        counts.consumed,
        counts.spoiled,
        0,
    )
