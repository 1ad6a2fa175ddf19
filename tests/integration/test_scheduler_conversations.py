"""The scheduler fires different conversations together and each conversation in order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from journey.cqrs.bus.command_bus import CommandResult, Dispatch, Next
from journey.cqrs.clock import ManualClock
from journey.cqrs.context import MessageContext
from journey.cqrs.scheduling import schedule_command
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.model import Commit
from tests.support.domain import Deposit, OpenAccount
from tests.support.kernel import kernel_on


async def test_due_commands_of_two_conversations_run_together_each_in_its_own_order() -> None:
    clock = ManualClock()
    kernel = await kernel_on(MemoryStorage(), clock=clock)
    for account in ("acc-a", "acc-b"):
        await kernel.commands.send(
            OpenAccount(account_id=account, customer_id="c", holder_name="Ana", email="a@x.io")
        )
    delivered: list[tuple[str, int]] = []
    in_flight = 0
    most_in_flight = 0

    async def observe(dispatch: Dispatch, call_next: Next) -> CommandResult:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(0.01)  # long enough for the other conversation to start meanwhile
        try:
            return await call_next(dispatch)
        finally:
            in_flight -= 1
            command = dispatch.command
            assert isinstance(command, Deposit)
            delivered.append((command.account_id, command.amount))

    kernel.commands.use(observe)
    commit = Commit()
    for amount in (1, 2, 3):
        for account in ("acc-a", "acc-b"):
            context = MessageContext.root(correlation_id=f"conversation-{account}")
            commit.schedule.append(
                await schedule_command(
                    kernel.codec,
                    Deposit(account_id=account, amount=amount),
                    due_at=clock.now() + timedelta(seconds=amount),
                    now=clock.now(),
                    context=context,
                )
            )
    await kernel.storage.commit(commit)
    clock.advance(timedelta(minutes=1))

    assert await kernel.scheduler.fire_due() == 6
    assert [amount for account, amount in delivered if account == "acc-a"] == [1, 2, 3]
    assert [amount for account, amount in delivered if account == "acc-b"] == [1, 2, 3]
    assert most_in_flight == 2  # one command of each conversation at a time, both at once
    assert await kernel.storage.due_scheduled(clock.now()) == []
    await kernel.close()
