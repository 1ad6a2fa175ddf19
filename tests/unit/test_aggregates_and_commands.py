"""Commands go through the bus to one handler; aggregates decide, then apply."""

from __future__ import annotations

import asyncio

import pytest

from journey.cqrs.bus import CommandBus, IdempotencyKeyReused, NoHandler
from journey.cqrs.clock import ManualClock
from journey.cqrs.context import MessageContext
from journey.cqrs.errors import NotFound, RuleViolation
from journey.cqrs.ids import new_id
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.unit_of_work import UnitOfWork
from tests.support.domain import (
    Account,
    AccountOpened,
    Deposit,
    MoneyDeposited,
    OpenAccount,
    Withdraw,
)
from tests.support.kernel import kernel_on


def open_command(account_id: str | None = None) -> OpenAccount:
    return OpenAccount(
        account_id=account_id or new_id(),
        customer_id=new_id(),
        holder_name="Ana Díaz",
        email="ana@example.com",
    )


def test_an_aggregate_applies_what_it_records_and_replays_to_the_same_state() -> None:
    live = Account("a1")
    live.open("c1", "Ana", "ana@example.com")
    live.deposit(70)
    live.withdraw(20)
    replayed = Account("a1")
    replayed.replay(live.pending_events)
    assert (
        (replayed.balance, replayed.customer_id) == (live.balance, live.customer_id) == (50, "c1")
    )
    assert replayed.version == 3


def test_a_broken_rule_records_nothing() -> None:
    account = Account("a1")
    account.open("c1", "Ana", "ana@example.com")
    with pytest.raises(RuleViolation):
        account.withdraw(10)
    assert [type(e) for e in account.pending_events] == [AccountOpened]


async def test_a_command_returns_its_value_and_the_position_it_wrote() -> None:
    kernel = await kernel_on(MemoryStorage())
    command = open_command()
    opened = await kernel.commands.send(command)
    assert opened.value == {"account_id": command.account_id}
    assert opened.position == 1
    deposited = await kernel.commands.send(Deposit(account_id=command.account_id, amount=30))
    assert deposited.value == 30
    assert deposited.position == 2
    assert deposited.stream_versions == {Account.stream_id_for(command.account_id): 2}


async def test_a_rejected_command_writes_nothing() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    command = open_command()
    await kernel.commands.send(command)
    with pytest.raises(RuleViolation, match="insufficient funds"):
        await kernel.commands.send(Withdraw(account_id=command.account_id, amount=1))
    with pytest.raises(NotFound):
        await kernel.commands.send(Deposit(account_id="missing", amount=1))
    assert await storage.last_position() == 1


async def test_each_command_type_has_exactly_one_handler() -> None:
    bus = CommandBus(MemoryStorage(), (await kernel_on(MemoryStorage())).codec, ManualClock())

    async def handler(command: Deposit, uow: UnitOfWork) -> None:
        return None

    bus.register(Deposit, handler)
    with pytest.raises(ValueError, match="already has a handler"):
        bus.register(Deposit, handler)
    with pytest.raises(NoHandler):
        await bus.send(Withdraw(account_id="a", amount=1))


async def test_events_carry_the_correlation_and_causation_of_the_command_that_caused_them() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    context = MessageContext.root(correlation_id="journey-42")
    await kernel.commands.send(open_command(), context=context)
    (event,) = await storage.read_all()
    assert event.correlation_id == "journey-42"
    assert event.causation_id == context.message_id
    assert event.traceparent is not None
    assert event.traceparent.split("-")[1] == context.traceparent.split("-")[1]  # type: ignore[union-attr]


async def test_a_command_sent_while_handling_another_continues_its_conversation() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    command = open_command()
    await kernel.commands.send(command)
    outer = MessageContext.root(correlation_id="conversation")
    from journey.cqrs.context import handling

    with handling(outer):
        await kernel.commands.send(Deposit(account_id=command.account_id, amount=5))
    deposit_event = (await storage.read_all())[-1]
    assert deposit_event.correlation_id == "conversation"
    assert deposit_event.causation_id != outer.message_id  # the deposit command is the cause...
    assert deposit_event.causation_id is not None


async def test_the_same_idempotency_key_twice_yields_the_first_result_and_changes_nothing() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    command = open_command()
    await kernel.commands.send(command)
    deposit = Deposit(account_id=command.account_id, amount=25)
    first = await kernel.commands.send(deposit, idempotency_key="pay-1")
    again = await kernel.commands.send(deposit, idempotency_key="pay-1")
    assert (again.value, again.position, again.replayed) == (first.value, first.position, True)
    assert await storage.last_position() == 2
    with pytest.raises(IdempotencyKeyReused):
        await kernel.commands.send(
            Deposit(account_id=command.account_id, amount=99), idempotency_key="pay-1"
        )


async def test_concurrent_commands_with_one_idempotency_key_take_effect_once() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    command = open_command()
    await kernel.commands.send(command)
    deposit = Deposit(account_id=command.account_id, amount=10)
    results = await asyncio.gather(
        *(kernel.commands.send(deposit, idempotency_key="same") for _ in range(10))
    )
    assert sum(not r.replayed for r in results) == 1
    assert {r.position for r in results} == {2}
    assert await storage.last_position() == 2


async def test_concurrent_commands_on_one_aggregate_all_succeed_without_lost_updates() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    command = open_command()
    await kernel.commands.send(command)
    await asyncio.gather(
        *(kernel.commands.send(Deposit(account_id=command.account_id, amount=1)) for _ in range(25))
    )
    uow = UnitOfWork(storage, kernel.codec, kernel.clock, MessageContext.root())
    account = await uow.get(Account, command.account_id)
    assert account.balance == 25
    assert account.version == 26


async def test_snapshots_are_taken_and_used_transparently() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage, snapshot_every=5)
    command = open_command()
    await kernel.commands.send(command)
    for _ in range(11):
        await kernel.commands.send(Deposit(account_id=command.account_id, amount=2))
    stream = Account.stream_id_for(command.account_id)
    snapshot = await storage.get_snapshot(stream)
    assert snapshot is not None
    assert snapshot.version == 10
    with_snapshot = UnitOfWork(
        storage, kernel.codec, kernel.clock, MessageContext.root(), snapshot_every=5
    )
    without = UnitOfWork(storage, kernel.codec, kernel.clock, MessageContext.root())
    a = await with_snapshot.get(Account, command.account_id)
    b = await without.get(Account, command.account_id)
    assert (a.balance, a.version) == (b.balance, b.version) == (22, 12)


async def test_an_aggregate_loaded_twice_in_one_unit_of_work_is_the_same_object() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage)
    command = open_command()
    await kernel.commands.send(command)
    uow = UnitOfWork(storage, kernel.codec, kernel.clock, MessageContext.root())
    first = await uow.get(Account, command.account_id)
    first.deposit(5)
    second = await uow.get(Account, command.account_id)
    assert second is first
    assert [type(e) for e in second.pending_events] == [MoneyDeposited]
