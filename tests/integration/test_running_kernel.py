"""The kernel's background work, running live: sagas, scheduler, projections and relay together."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_storage
from tests.integration.test_timers_and_dead_letters import ORDERS, ledger, report_personalized
from tests.support.kernel import kernel_on
from tests.support.sagas import PlaceOrder
from tests.support.waiting import eventually


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_many_sagas_run_to_completion_in_the_live_kernel(kind: str, tmp_path: Path) -> None:
    kernel = await kernel_on(
        await make_storage(kind, tmp_path), modules=[ORDERS], poll_interval=0.2
    )
    await kernel.start()
    orders = [f"order-{n}" for n in range(20)]
    for order in orders:
        await kernel.commands.send(PlaceOrder(order_id=order))

    async def all_waiting_for_the_bureau() -> bool:
        return [len(await ledger(kernel.storage, o)) for o in orders] == [4] * len(orders)

    await eventually(all_waiting_for_the_bureau)
    for order in orders:
        await report_personalized(kernel, order)

    async def all_completed() -> bool:
        done = await kernel.storage.count_documents("sagas", where={"status": "completed"})
        return done == len(orders)

    await eventually(all_completed)
    for order in orders:
        assert await ledger(kernel.storage, order) == [
            "reserve",
            "notify",
            "charge",
            "personalize",
            "ship",
        ]

    async def relay_caught_up() -> bool:
        return await kernel.relay.lag() == 0

    await eventually(relay_caught_up)
    await kernel.stop()
    await kernel.close()
