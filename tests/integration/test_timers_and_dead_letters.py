"""Durable timers fire once across restarts; what keeps failing is parked and redriven once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from journey.cqrs.clock import ManualClock
from journey.cqrs.context import MessageContext
from journey.cqrs.dead_letters import request_redrive
from journey.cqrs.ids import new_id
from journey.cqrs.module import Module
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.model import DeadLetterStatus
from journey.cqrs.store.port import Storage
from journey.cqrs.store.sqlite import SqliteStorage
from tests.conftest import make_storage
from tests.support import sagas
from tests.support.domain import Deposit, OpenAccount
from tests.support.kernel import ACCOUNTS, kernel_on
from tests.support.projections import BROKEN_STREAMS, BalanceTotals

ORDERS = Module(
    name="orders",
    events=sagas.SAGA_TEST_EVENTS,
    commands=sagas.SAGA_TEST_HANDLERS,
    sagas=[sagas.CardIssuance()],
)


async def saga_events(storage: Storage, order_id: str) -> list[str]:
    return [
        e.event_type.removeprefix("journey.")
        for e in await storage.read_stream(f"saga.card_issuance-{order_id}")
    ]


async def ledger(storage: Storage, order_id: str) -> list[str]:
    return [
        ("undo " if orjson.loads(e.data).get("undo") else "") + orjson.loads(e.data)["step"]
        for e in await storage.read_stream(f"ledger-{order_id}")
        if e.event_type == "ActionDone"
    ]


async def test_a_timer_set_before_a_restart_fires_once_after_it(tmp_path: Path) -> None:
    db = tmp_path / "journey.db"
    clock = ManualClock()
    kernel = await kernel_on(await SqliteStorage(db).open(), modules=[ORDERS], clock=clock)
    await kernel.commands.send(sagas.PlaceOrder(order_id="o1"))
    await kernel.settle()
    assert await saga_events(kernel.storage, "o1") == [
        *["saga.Started", "saga.StepStarted"],
        *(["scheduler.CommandSucceeded", "saga.StepCompleted", "saga.StepStarted"] * 3),
        "scheduler.CommandSucceeded",
    ]
    await kernel.close()  # the process goes away with a deadline two days out

    clock.advance(timedelta(days=3))
    first = await kernel_on(await SqliteStorage(db).open(), modules=[ORDERS], clock=clock)
    second = await kernel_on(await SqliteStorage(db).open(), modules=[ORDERS], clock=clock)
    # Two schedulers race for the same due timer: it must still fire exactly once.
    await first.scheduler.fire_due()
    await second.scheduler.fire_due()
    await first.settle()
    await second.settle()
    events = await saga_events(first.storage, "o1")
    assert events.count("saga.DeadlineReached") == 1
    assert events[-1] == "saga.Stuck"
    sagas_view = await first.storage.get_document("sagas", "saga.card_issuance-o1")
    assert sagas_view is not None
    assert (sagas_view["status"], sagas_view["stuck_reason"]) == ("stuck", "deadline passed")
    await first.close()
    await second.close()


async def test_a_cancelled_timer_never_fires(tmp_path: Path) -> None:
    clock = ManualClock()
    kernel = await kernel_on(await make_storage("sqlite", tmp_path), modules=[ORDERS], clock=clock)
    await kernel.commands.send(sagas.PlaceOrder(order_id="o2"))
    await kernel.settle()
    await report_personalized(kernel, "o2")
    await kernel.settle()
    clock.advance(timedelta(days=10))
    await kernel.settle()
    events = await saga_events(kernel.storage, "o2")
    assert "saga.DeadlineReached" not in events
    assert events[-1] == "saga.Completed"
    await kernel.close()


async def report_personalized(kernel: Kernel, order_id: str) -> None:
    from datetime import UTC, datetime

    from journey.cqrs.store.model import ANY_VERSION

    event = await kernel.codec.encode(
        sagas.CardPersonalized(order_id=order_id),
        event_id=new_id(),
        time=datetime.now(UTC),
        context=MessageContext.root(),
    )
    await kernel.storage.append(f"bureau-{order_id}", ANY_VERSION, [event])


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_failing_projection_event_is_parked_in_order_and_redriven_once(
    kind: str, tmp_path: Path
) -> None:
    totals = BalanceTotals()
    kernel = await kernel_on(
        await make_storage(kind, tmp_path),
        modules=[ACCOUNTS, Module(name="totals", projections=[totals])],
    )
    broken, healthy = new_id(), new_id()
    for account in (broken, healthy):
        await kernel.commands.send(
            OpenAccount(account_id=account, customer_id=new_id(), holder_name="A", email="a@b.c")
        )
    BROKEN_STREAMS.add(f"account-{broken}")
    try:
        for amount in (1, 2, 3):
            await kernel.commands.send(Deposit(account_id=broken, amount=amount))
            await kernel.commands.send(Deposit(account_id=healthy, amount=amount))
        await kernel.settle()
    finally:
        BROKEN_STREAMS.clear()

    letters = await kernel.storage.list_dead_letters(consumer="balance_totals")
    assert [letter.attempts for letter in letters] == [3, 0, 0]  # one failed, two wait behind it
    assert all(letter.sequence_key == f"account-{broken}" for letter in letters)
    assert await kernel.storage.get_document("balances", f"account-{broken}") is None
    healthy_balance = await kernel.storage.get_document("balances", f"account-{healthy}")
    assert healthy_balance is not None
    assert healthy_balance["total"] == 6

    queued = await request_redrive(kernel.storage, [letters[0].id])
    assert queued == [letter.id for letter in letters]
    applied_before = totals.applied
    await kernel.settle()
    await kernel.settle()
    assert totals.applied - applied_before == 3, "each parked event processed exactly once"
    balance = await kernel.storage.get_document("balances", f"account-{broken}")
    assert balance is not None
    assert (balance["total"], balance["order"]) == (6, [2, 3, 4])
    statuses = {letter.status for letter in await kernel.storage.list_dead_letters()}
    assert statuses == {DeadLetterStatus.RESOLVED}
    await kernel.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_command_that_keeps_failing_is_retried_with_backoff_then_redriven_after_a_fix(
    kind: str, tmp_path: Path
) -> None:
    clock = ManualClock()
    retry = RetryPolicy(max_attempts=3, initial_delay=60, jitter=0)
    kernel = await kernel_on(
        await make_storage(kind, tmp_path), modules=[ORDERS], clock=clock, command_retry=retry
    )
    sagas.FLAKY["charge"] = 100  # the payment system is down
    try:
        await kernel.commands.send(sagas.PlaceOrder(order_id="o3"))
        await kernel.settle()
        pending = await kernel.storage.due_scheduled(clock.now() + timedelta(hours=1))
        assert [(m.attempts, m.last_error) for m in pending] == [(1, "ConnectionError")]
        assert pending[0].due_at == clock.now() + timedelta(seconds=60)
        clock.advance(timedelta(seconds=61))
        await kernel.settle()
        clock.advance(timedelta(seconds=121))
        await kernel.settle()
    finally:
        sagas.FLAKY.clear()  # the payment system is back

    (letter,) = await kernel.storage.list_dead_letters()
    assert (letter.consumer, letter.message_type, letter.attempts) == ("scheduler", "Act", 3)
    events = await saga_events(kernel.storage, "o3")
    assert events[-2:] == ["scheduler.CommandDeadLettered", "saga.Stuck"]

    await request_redrive(kernel.storage, [letter.id])
    await kernel.settle()
    assert await ledger(kernel.storage, "o3") == ["reserve", "notify", "charge", "personalize"]
    view = await kernel.storage.get_document("sagas", "saga.card_issuance-o3")
    assert view is not None
    assert (view["status"], view["step"]) == ("running", "personalize")
    resolved = await kernel.storage.get_dead_letter(letter.id)
    assert resolved is not None
    assert resolved.status is DeadLetterStatus.RESOLVED
    await kernel.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_failure_before_the_pivot_compensates_in_reverse_order(
    kind: str, tmp_path: Path
) -> None:
    kernel = await kernel_on(await make_storage(kind, tmp_path), modules=[ORDERS])
    await kernel.commands.send(sagas.PlaceOrder(order_id="o4", fail_at="charge"))
    await kernel.settle()
    assert await ledger(kernel.storage, "o4") == ["reserve", "notify", "undo reserve"]
    events = await saga_events(kernel.storage, "o4")
    assert "saga.Compensating" in events
    assert events[-1] == "saga.Compensated"
    view = await kernel.storage.get_document("sagas", "saga.card_issuance-o4")
    assert view is not None
    assert view["status"] == "compensated"
    await kernel.close()


async def test_an_undeliverable_timer_is_parked_and_does_not_hold_up_the_others(
    tmp_path: Path,
) -> None:
    from journey.cqrs.scheduling import schedule_event
    from journey.cqrs.store.model import Commit
    from tests.support.domain import MoneyDeposited

    clock = ManualClock()
    kernel = await kernel_on(await make_storage("sqlite", tmp_path), clock=clock)
    context = MessageContext.root()
    good = await schedule_event(
        kernel.codec,
        MoneyDeposited(amount=5),
        stream_id="account-t",
        due_at=clock.now() + timedelta(minutes=2),
        now=clock.now(),
        context=context,
    )
    poison = replace(good, id="poison", message_type="NoSuchEvent", due_at=clock.now())
    await kernel.storage.commit(Commit(schedule=[poison, good]))
    clock.advance(timedelta(minutes=5))
    await kernel.settle()
    assert [e.event_type for e in await kernel.storage.read_stream("account-t")] == [
        "MoneyDeposited"
    ]
    (letter,) = await kernel.storage.list_dead_letters()
    assert (letter.consumer, letter.kind, letter.message_type) == (
        "scheduler",
        "event",
        "NoSuchEvent",
    )
    assert "UnknownEventType" in letter.error
    assert await kernel.storage.due_scheduled(clock.now()) == []
    await kernel.close()
