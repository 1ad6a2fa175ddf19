"""Feeding a consumer from a broker: at-least-once delivery made exactly-once by an inbox.

Each event's effects are committed with an inbox entry (consumer, event id); a redelivered or
republished event finds its entry and is acknowledged without effect. A handler that keeps
failing is retried by the broker (nak with backoff); on the last allowed delivery the event is
parked as a dead letter (and later events of its sequence wait behind it), then acknowledged.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from journey.cqrs.broker.port import Broker, Delivery, Subscription
from journey.cqrs.clock import Clock
from journey.cqrs.consumers import Consumer, ConsumerTransaction
from journey.cqrs.context import MessageContext, handling
from journey.cqrs.records import StoredEvent
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.serialization import EventCodec
from journey.cqrs.store.errors import AlreadyProcessed
from journey.cqrs.store.model import InboxEntry
from journey.cqrs.store.port import Storage
from journey.cqrs.subscription import EventProcessor


class BrokerSubscriber(EventProcessor):
    def __init__(
        self,
        consumer: Consumer,
        broker: Broker,
        storage: Storage,
        codec: EventCodec,
        clock: Clock,
        *,
        subjects: Sequence[str] = ("journey.events.>",),
        max_deliver: int = 5,
        backoff: Sequence[float] = (0.1, 1.0, 5.0),
    ) -> None:
        # The broker retries; each delivery is one attempt here.
        super().__init__(consumer, storage, codec, clock, retry=RetryPolicy(max_attempts=1))
        self._broker = broker
        self._subjects = tuple(subjects)
        self._max_deliver = max_deliver
        self._backoff = tuple(backoff)
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._subscription = await self._broker.subscribe(
            durable=self.name,
            subjects=self._subjects,
            handler=self.on_delivery,
            max_deliver=self._max_deliver,
            backoff=self._backoff,
        )

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.stop()
            self._subscription = None

    async def on_delivery(self, delivery: Delivery) -> None:
        record = StoredEvent.from_cloudevent(orjson.loads(delivery.message.data))
        if not self.consumer.wants(record.event_type):
            return
        if await self._storage.has_processed(self.name, record.event_id):
            return  # a duplicate: its effects are already committed
        tx = ConsumerTransaction(self._storage, self._codec, self._clock)
        tx.commit.inbox.append(InboxEntry(self.name, record.event_id))
        parked = await self._parked_sequences()
        try:
            envelope = await self._codec.decode(record)
        except Exception as error:  # undecodable: no redelivery will fix it
            self._park(tx, record, record.stream_id, error, attempts=delivery.attempt)
            await self._commit(tx)
            return
        key = self.consumer.sequence_key(envelope)
        if key in parked:
            self._park(tx, record, key, None, attempts=0)
            await self._commit(tx)
            return
        mark = tx.savepoint()
        try:
            with handling(MessageContext.of_event(record)):
                await self.consumer.handle(envelope, tx)
        except Exception as error:
            if delivery.attempt < self._max_deliver:
                raise  # the broker redelivers after its backoff
            tx.rollback_to(mark)
            self._park(tx, record, key, error, attempts=delivery.attempt)
        await self._commit(tx)

    async def _commit(self, tx: ConsumerTransaction) -> None:
        try:
            await self._storage.commit(await tx.build())
        except AlreadyProcessed:
            return  # a concurrent delivery of the same event won
