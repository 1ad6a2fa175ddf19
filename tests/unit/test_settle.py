"""`Kernel.settle` runs the consumers that are behind together, as `start` does."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event
from journey.cqrs.module import Module
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.model import Commit, CommitResult
from tests.support.domain import ACCOUNT_EVENTS, ACCOUNT_HANDLERS, Deposit, MoneyDeposited
from tests.support.kernel import kernel_on
from tests.unit.test_aggregates_and_commands import open_command


class OverlapMeter(MemoryStorage):
    """Memory storage whose commits take a turn of the loop, counting how many overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_at_once = 0

    async def commit(self, commit: Commit) -> CommitResult:
        self.in_flight += 1
        self.most_at_once = max(self.most_at_once, self.in_flight)
        try:
            await asyncio.sleep(0)
            return await super().commit(commit)
        finally:
            self.in_flight -= 1


class DepositCount(Projection):
    """Counts deposits in a collection of its own (`deposit_counter` makes one per name)."""

    event_types: ClassVar[frozenset[str] | None] = frozenset({MoneyDeposited.event_type})

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        count = await tx.get(self.collections[0], "all") or {"n": 0}
        tx.put(self.collections[0], "all", {"n": count["n"] + 1})


def deposit_counter(label: str) -> DepositCount:
    class Counter(DepositCount):
        name = label
        collections = (f"{label}_counts",)

    return Counter()


def accounts_with(*projections: Projection) -> Module:
    return Module(
        name="accounts",
        events=ACCOUNT_EVENTS,
        commands=ACCOUNT_HANDLERS,
        projections=list(projections),
    )


async def test_the_consumers_behind_catch_up_together_and_their_commits_overlap() -> None:
    storage = OverlapMeter()
    counters = [deposit_counter(f"count_{n}") for n in range(3)]
    kernel = await kernel_on(storage, modules=[accounts_with(*counters)])
    command = open_command()
    await kernel.commands.send(command)
    for _ in range(5):
        await kernel.commands.send(Deposit(account_id=command.account_id, amount=1))
    storage.most_at_once = 0

    await kernel.settle()

    assert storage.most_at_once >= 2  # one at a time, as before, would never overlap
    for counter in counters:
        assert await storage.get_document(counter.collections[0], "all") == {"n": 5}
    await kernel.close()
