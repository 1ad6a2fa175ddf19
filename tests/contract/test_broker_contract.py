"""The broker contract (in-process adapter now; NATS JetStream joins it later)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from journey.cqrs.broker import Broker, BrokerMessage, Delivery, MemoryBroker
from tests.support.waiting import eventually


@pytest.fixture
async def broker() -> AsyncIterator[Broker]:
    adapter = MemoryBroker()
    yield adapter
    await adapter.close()


def message(subject: str, message_id: str) -> BrokerMessage:
    return BrokerMessage(subject=subject, message_id=message_id, data=message_id.encode())


async def test_a_durable_consumer_gets_matching_messages_in_order(broker: Broker) -> None:
    seen: list[str] = []

    async def handler(delivery: Delivery) -> None:
        seen.append(delivery.message.message_id)

    await broker.subscribe(durable="c", subjects=["journey.events.account.>"], handler=handler)
    await broker.publish(
        [
            message("journey.events.account.Opened", "1"),
            message("journey.events.card.Issued", "2"),
            message("journey.events.account.Deposited", "3"),
        ]
    )
    await eventually(lambda: len(seen) == 2)
    assert seen == ["1", "3"]


async def test_a_message_published_twice_with_one_id_is_delivered_once(broker: Broker) -> None:
    seen: list[str] = []

    async def handler(delivery: Delivery) -> None:
        seen.append(delivery.message.message_id)

    await broker.subscribe(durable="c", subjects=[">"], handler=handler)
    await broker.publish([message("a.b", "1"), message("a.b", "1")])
    await broker.publish([message("a.b", "1"), message("a.b", "2")])
    await eventually(lambda: len(seen) == 2)
    await asyncio.sleep(0.05)
    assert seen == ["1", "2"]


async def test_a_failing_handler_gets_the_message_again_up_to_max_deliver(broker: Broker) -> None:
    attempts: list[int] = []

    async def handler(delivery: Delivery) -> None:
        attempts.append(delivery.attempt)
        raise RuntimeError("not yet")

    await broker.subscribe(
        durable="c", subjects=[">"], handler=handler, max_deliver=3, backoff=(0.0,)
    )
    await broker.publish([message("a.b", "1"), message("a.b", "2")])
    await eventually(lambda: len(attempts) == 6)
    assert attempts == [1, 2, 3, 1, 2, 3]


async def test_a_handler_that_settles_with_nak_is_redelivered_after_its_delay(
    broker: Broker,
) -> None:
    attempts: list[int] = []

    async def handler(delivery: Delivery) -> None:
        attempts.append(delivery.attempt)
        if delivery.attempt == 1:
            await delivery.nak(0.01)

    await broker.subscribe(durable="c", subjects=[">"], handler=handler)
    await broker.publish([message("a.b", "1")])
    await eventually(lambda: attempts == [1, 2])


async def test_a_durable_consumer_resumes_where_it_stopped(broker: Broker) -> None:
    seen: list[str] = []

    async def handler(delivery: Delivery) -> None:
        seen.append(delivery.message.message_id)

    subscription = await broker.subscribe(durable="c", subjects=[">"], handler=handler)
    await broker.publish([message("a.b", "1")])
    await eventually(lambda: seen == ["1"])
    await subscription.stop()
    await broker.publish([message("a.b", "2")])
    await broker.subscribe(durable="c", subjects=[">"], handler=handler)
    await eventually(lambda: seen == ["1", "2"])


async def test_the_in_process_broker_keeps_a_bounded_number_of_messages() -> None:
    broker = MemoryBroker(max_messages=3)
    await broker.publish([message("a.b", str(n)) for n in range(10)])
    assert [m.message_id for m in broker.log] == ["7", "8", "9"]
    seen: list[str] = []

    async def handler(delivery: Delivery) -> None:
        seen.append(delivery.message.message_id)

    await broker.subscribe(durable="late", subjects=[">"], handler=handler)
    await eventually(lambda: seen == ["7", "8", "9"])
    await broker.close()
