"""Aggregates kept in memory between commands: reused, caught up, and never kept half-changed."""

from __future__ import annotations

from typing import Any

import pytest

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.aggregate_cache import AggregateCache
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Command, Event
from journey.cqrs.module import Module
from journey.cqrs.records import ReplayRecord
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.unit_of_work import UnitOfWork
from tests.support.domain import Deposit
from tests.support.kernel import ACCOUNTS, kernel_on
from tests.unit.test_aggregates_and_commands import open_command


class Added(Event):
    amount: int


class Tally(Aggregate):
    """A running total that every command goes through (like a stock of plastics)."""

    category = "tally"
    keep_in_memory = True

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.total = 0

    def add(self, amount: int) -> None:
        self.record(Added(amount=amount))

    def apply(self, event: Event) -> None:
        if isinstance(event, Added):
            self.total += event.amount


class Add(Command):
    tally_id: str
    amount: int


class AddThenRefuse(Command):
    """Records an addition, then breaks a rule: the command fails after changing the state."""

    tally_id: str
    amount: int


async def tally_of(uow: UnitOfWork, tally_id: str) -> Tally:
    tally = await uow.find(Tally, tally_id)
    if tally is None:
        tally = Tally(tally_id)
        uow.add(tally)
    return tally


async def add(command: Add, uow: UnitOfWork) -> int:
    tally = await tally_of(uow, command.tally_id)
    tally.add(command.amount)
    return tally.total


async def add_then_refuse(command: AddThenRefuse, uow: UnitOfWork) -> None:
    tally = await tally_of(uow, command.tally_id)
    tally.add(command.amount)
    raise RuleViolation("refused after the change was made")


TALLIES = Module(
    name="tallies", events=(Added,), commands={Add: add, AddThenRefuse: add_then_refuse}
)


class ReplayLog(MemoryStorage):
    """Memory storage that notes from which version each stream was read for a rebuild."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[str, int]] = []

    async def read_for_replay(
        self, stream_id: str, *, after_version: int = 0
    ) -> list[ReplayRecord]:
        self.reads.append((stream_id, after_version))
        return await super().read_for_replay(stream_id, after_version=after_version)


async def kernel(storage: MemoryStorage, **settings: Any) -> Kernel:
    return await kernel_on(storage, modules=[ACCOUNTS, TALLIES], **settings)


async def test_a_kept_aggregate_is_not_rebuilt_only_what_was_stored_after_it_is_read() -> None:
    storage = ReplayLog()
    tallies = await kernel(storage, snapshot_every=2)
    totals = [(await tallies.commands.send(Add(tally_id="t", amount=n))).value for n in range(1, 6)]
    assert totals == [1, 3, 6, 10, 15]
    # The first command found no stream; every later one started from the kept version (a
    # rebuild would have started from the latest snapshot, at an even version).
    assert [after for stream, after in storage.reads if stream == "tally-t"] == [0, 1, 2, 3, 4]
    await tallies.close()


async def test_what_another_process_stored_is_applied_before_the_next_decision() -> None:
    storage = ReplayLog()
    here, elsewhere = await kernel(storage), await kernel(storage)
    assert (await here.commands.send(Add(tally_id="t", amount=1))).value == 1
    assert (await elsewhere.commands.send(Add(tally_id="t", amount=10))).value == 11
    assert (await here.commands.send(Add(tally_id="t", amount=100))).value == 111
    await here.close()
    await elsewhere.close()


async def test_a_command_that_fails_after_changing_a_kept_aggregate_leaves_no_trace() -> None:
    storage = ReplayLog()
    tallies = await kernel(storage)
    await tallies.commands.send(Add(tally_id="t", amount=1))
    with pytest.raises(RuleViolation):
        await tallies.commands.send(AddThenRefuse(tally_id="t", amount=50))
    assert (await tallies.commands.send(Add(tally_id="t", amount=1))).value == 2
    # The failed command took the kept tally; the next one rebuilt it from the store.
    assert [after for stream, after in storage.reads if stream == "tally-t"] == [0, 1, 0]
    await tallies.close()


async def test_aggregates_that_do_not_ask_to_be_kept_are_rebuilt_for_every_command() -> None:
    storage = ReplayLog()
    accounts = await kernel(storage)
    command = open_command()
    await accounts.commands.send(command)
    for _ in range(3):
        await accounts.commands.send(Deposit(account_id=command.account_id, amount=1))
    stream = f"account-{command.account_id}"
    assert [after for read, after in storage.reads if read == stream] == [0, 0, 0]
    await accounts.close()


def saved_tally(tally_id: str, version: int) -> Tally:
    tally = Tally(tally_id)
    tally.version = version
    return tally


def test_the_cache_keeps_the_most_recently_used_aggregates_up_to_its_capacity() -> None:
    cache = AggregateCache(capacity=2)
    for name in ("a", "b"):
        cache.give_back(saved_tally(name, 1))
    assert cache.take("tally-a") is not None  # lent out: no longer kept ...
    assert cache.take("tally-a") is None
    cache.give_back(saved_tally("a", 2))  # ... until given back, now the most recent
    cache.give_back(saved_tally("c", 1))
    assert len(cache) == 2
    assert cache.take("tally-b") is None
    assert cache.take("tally-c") is not None


def test_the_cache_refuses_unsaved_changes_and_never_swaps_a_newer_version_for_an_older() -> None:
    cache = AggregateCache()
    changed = saved_tally("a", 3)
    changed.add(5)
    with pytest.raises(ValueError, match="unsaved events"):
        cache.give_back(changed)
    cache.give_back(saved_tally("a", 7))
    cache.give_back(saved_tally("a", 4))
    kept = cache.take("tally-a")
    assert kept is not None
    assert kept.version == 7
    with pytest.raises(ValueError, match="at least one"):
        AggregateCache(capacity=0)
