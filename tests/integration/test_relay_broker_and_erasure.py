"""The log reaches the broker exactly once per consumer; erased subjects stay erased."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from journey.cqrs.broker import MemoryBroker
from journey.cqrs.broker.subscriber import BrokerSubscriber
from journey.cqrs.consumers import ConsumerTransaction, EventHandlerBase
from journey.cqrs.context import MessageContext
from journey.cqrs.ids import new_id
from journey.cqrs.messages import Event
from journey.cqrs.privacy import erase_subject, erasure_stream
from journey.cqrs.runtime import Kernel
from journey.cqrs.serialization import Envelope
from journey.cqrs.store.model import CheckpointUpdate, Commit
from journey.cqrs.unit_of_work import UnitOfWork
from tests.conftest import make_storage
from tests.support.domain import Account, Deposit, OpenAccount
from tests.support.kernel import kernel_on
from tests.support.waiting import eventually


class DepositCounter(EventHandlerBase):
    """Counts deposits into a read model, and in memory to catch any double handling."""

    name = "deposit_counter"
    event_types: ClassVar[frozenset[str] | None] = frozenset({"MoneyDeposited"})

    def __init__(self, fail_times: int = 0) -> None:
        self.handled: list[str] = []
        self.fail_times = fail_times

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("downstream is flaky")
        self.handled.append(envelope.event_id)
        count = await tx.get("counts", "deposits") or {"n": 0}
        tx.put("counts", "deposits", {"n": count["n"] + 1})


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_events_relayed_twice_are_handled_once_by_a_broker_consumer(
    kind: str, tmp_path: Path
) -> None:
    broker = MemoryBroker()
    storage = await make_storage(kind, tmp_path)
    kernel = await kernel_on(storage)
    kernel.broker = broker
    counter = DepositCounter(fail_times=2)
    subscriber = BrokerSubscriber(
        counter, broker, storage, kernel.codec, kernel.clock, backoff=(0.0,)
    )
    await subscriber.start()
    account = new_id()
    await kernel.commands.send(
        OpenAccount(account_id=account, customer_id=new_id(), holder_name="A", email="a@b.c")
    )
    for _ in range(5):
        await kernel.commands.send(Deposit(account_id=account, amount=1))

    from journey.cqrs.relay import Relay

    relay = Relay(storage, broker)
    assert await relay.run_until_caught_up() == 6

    async def five_counted() -> bool:
        return await storage.get_document("counts", "deposits") == {"n": 5}

    await eventually(five_counted)
    # The relay crashed before saving its checkpoint and a fresh broker forgot the ids:
    await storage.commit(Commit(checkpoints=[CheckpointUpdate("relay", 6, 0)]))
    await subscriber.stop()
    second_broker = MemoryBroker()
    again = BrokerSubscriber(counter, second_broker, storage, kernel.codec, kernel.clock)
    await again.start()
    assert await Relay(storage, second_broker).run_until_caught_up() == 6
    await eventually(lambda: _pending_zero(second_broker))
    assert len(counter.handled) == 5
    assert len(set(counter.handled)) == 5
    assert await storage.get_document("counts", "deposits") == {"n": 5}
    await again.stop()
    await kernel.close()


def _pending_zero(broker: MemoryBroker) -> bool:
    return broker.consumer_info("deposit_counter")["pending"] == 0


async def erase(kernel: Kernel, subject: str, reason: str) -> bool:
    return await erase_subject(
        subject,
        reason=reason,
        keys=kernel.keys,
        storage=kernel.storage,
        codec=kernel.codec,
        clock=kernel.clock,
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_shredded_subject_is_unreadable_while_their_events_still_replay(
    kind: str, tmp_path: Path
) -> None:
    kernel = await kernel_on(await make_storage(kind, tmp_path))
    account, customer = new_id(), new_id()
    await kernel.commands.send(
        OpenAccount(
            account_id=account,
            customer_id=customer,
            holder_name="Lucía Fernández",
            email="lucia@example.com",
        )
    )
    await kernel.commands.send(Deposit(account_id=account, amount=40))
    opened = (await kernel.storage.read_stream(Account.stream_id_for(account)))[0]
    assert "Lucía" not in opened.data
    assert "lucia@example.com" not in opened.data

    assert await erase(kernel, customer, "customer asked (GDPR art. 17)")
    uow = UnitOfWork(kernel.storage, kernel.codec, kernel.clock, MessageContext.root())
    replayed = await uow.get(Account, account)
    assert (replayed.balance, replayed.customer_id, replayed.holder_name) == (40, customer, None)
    envelope = await kernel.codec.decode(opened)
    assert envelope.redacted == frozenset({"holder_name", "email"})
    (proof,) = await kernel.storage.read_stream(erasure_stream(customer))
    assert proof.event_type == "journey.privacy.PersonalDataErased"
    assert customer in proof.data
    assert "Lucía" not in proof.data
    assert not await erase(kernel, customer, "asked twice"), "erasing twice records one proof"
    await kernel.close()


async def test_personal_data_never_reaches_the_sqlite_file_in_clear(tmp_path: Path) -> None:
    kernel = await kernel_on(await make_storage("sqlite", tmp_path))
    await kernel.commands.send(
        OpenAccount(
            account_id=new_id(),
            customer_id=new_id(),
            holder_name="Zoe Quintanilla-Secret",
            email="zoe.secret@example.com",
        )
    )
    await kernel.settle()
    await kernel.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Quintanilla" not in data
    assert b"zoe.secret" not in data
