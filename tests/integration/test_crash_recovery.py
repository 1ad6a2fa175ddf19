"""Processes killed mid-work (SIGKILL, no clean-up) resume without losing or doubling anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from journey.cqrs.context import MessageContext
from journey.cqrs.ids import new_id
from journey.cqrs.module import Module
from journey.cqrs.store.model import NO_STREAM
from journey.cqrs.store.sqlite import SqliteStorage
from tests.support import sagas
from tests.support.domain import Deposit, OpenAccount
from tests.support.kernel import kernel_on

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ORDERS = Module(name="orders", events=sagas.SAGA_TEST_EVENTS, commands=sagas.SAGA_TEST_HANDLERS)


def run_worker(*args: str) -> int:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.integration.programs.worker", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
        check=False,
    )
    if completed.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(completed.stderr.decode())
    return completed.returncode


async def test_a_projection_killed_mid_batch_resumes_without_double_counting(
    tmp_path: Path,
) -> None:
    db = tmp_path / "journey.db"
    storage = await SqliteStorage(db).open()
    kernel = await kernel_on(storage)
    accounts = [new_id() for _ in range(20)]
    for account in accounts:
        await kernel.commands.send(
            OpenAccount(account_id=account, customer_id=new_id(), holder_name="A", email="a@b.c")
        )
    for round_ in range(30):
        for account in accounts:
            await kernel.commands.send(Deposit(account_id=account, amount=round_ + 1))
    await kernel.close()
    expected_total = 20 * sum(range(1, 31))

    assert run_worker("project", str(db), "500") == -signal.SIGKILL

    storage = await SqliteStorage(db).open()
    checkpoint = await storage.get_checkpoint("balance_totals")
    assert 0 < checkpoint < 500, "an earlier batch committed, the one in progress did not"
    totals = await storage.get_document("totals", "all")
    committed = await storage.read_all(
        after_position=0, limit=10_000, event_types=["MoneyDeposited"]
    )
    assert totals is not None
    assert totals["deposits"] == sum(1 for e in committed if e.position <= checkpoint)
    await storage.close()

    assert run_worker("project", str(db)) == 0

    storage = await SqliteStorage(db).open()
    totals = await storage.get_document("totals", "all")
    assert totals == {"total": expected_total, "deposits": 600}
    for account in accounts:
        balance = await storage.get_document("balances", f"account-{account}")
        assert balance is not None
        assert balance["order"] == list(range(2, 32)), "each event applied once, in order"
    await storage.close()


async def test_a_saga_whose_process_dies_between_steps_resumes_and_completes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "journey.db"
    kernel = await kernel_on(await SqliteStorage(db).open(), modules=[ORDERS])
    await kernel.commands.send(sagas.PlaceOrder(order_id="order-7"))
    await kernel.close()

    assert run_worker("saga", str(db), "charge") == -signal.SIGKILL
    storage = await SqliteStorage(db).open()
    assert await done_steps(storage, "order-7") == ["reserve", "notify"]
    await storage.close()

    assert run_worker("saga", str(db)) == 0
    kernel = await kernel_on(await SqliteStorage(db).open(), modules=[ORDERS])
    assert await done_steps(kernel.storage, "order-7") == [
        "reserve",
        "notify",
        "charge",
        "personalize",
    ]
    personalized = await kernel.codec.encode(
        sagas.CardPersonalized(order_id="order-7"),
        event_id=new_id(),
        time=datetime.now(UTC),
        context=MessageContext.root(),
    )
    await kernel.storage.append("bureau-order-7", NO_STREAM, [personalized])
    await kernel.close()

    assert run_worker("saga", str(db)) == 0
    storage = await SqliteStorage(db).open()
    assert await done_steps(storage, "order-7") == [
        "reserve",
        "notify",
        "charge",
        "personalize",
        "ship",
    ]
    saga_events = [e.event_type for e in await storage.read_stream("saga.card_issuance-order-7")]
    assert saga_events[-1] == "journey.saga.Completed"
    assert await storage.due_scheduled(datetime(2100, 1, 1, tzinfo=UTC)) == []
    await storage.close()


async def done_steps(storage: SqliteStorage, order_id: str) -> list[str]:
    events = await storage.read_stream(f"ledger-{order_id}")
    return [orjson.loads(e.data)["step"] for e in events if e.event_type == "ActionDone"]
