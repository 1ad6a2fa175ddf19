"""The relay: the event log is the outbox; this publishes it to the broker, in order.

It reads after its checkpoint, publishes each event as a CloudEvent with message id = event id,
then moves its checkpoint. A crash between publishing and moving the checkpoint republishes the
same events, which the broker's dedupe window (and consumers' inboxes) absorb. There is no
second write path anywhere: an event is published if and only if it was committed.
"""

from __future__ import annotations

import asyncio

import orjson
import structlog

from journey.cqrs.broker.port import Broker, BrokerMessage
from journey.cqrs.broker.subjects import DEFAULT_PREFIX, subject_for
from journey.cqrs.logsafe import describe_failure
from journey.cqrs.pacing import UNPACED, Pacer
from journey.cqrs.records import StoredEvent
from journey.cqrs.store.errors import CheckpointConflict
from journey.cqrs.store.model import CheckpointUpdate, Commit
from journey.cqrs.store.port import Storage

_log = structlog.get_logger("journey.relay")


def to_message(record: StoredEvent, prefix: str = DEFAULT_PREFIX) -> BrokerMessage:
    headers = {
        "Nats-Msg-Id": record.event_id,
        "ce-specversion": "1.0",
        "ce-type": record.event_type,
        "ce-id": record.event_id,
        "correlationid": record.correlation_id,
    }
    if record.traceparent:
        headers["traceparent"] = record.traceparent
    return BrokerMessage(
        subject=subject_for(record, prefix),
        message_id=record.event_id,
        data=orjson.dumps(record.to_cloudevent()),
        headers=headers,
    )


class Relay:
    def __init__(
        self,
        storage: Storage,
        broker: Broker,
        *,
        name: str = "relay",
        prefix: str = DEFAULT_PREFIX,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        pacer: Pacer = UNPACED,
    ) -> None:
        self.name = name
        self._storage = storage
        self._broker = broker
        self._prefix = prefix
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._pacer = pacer

    async def run_once(self) -> int:
        """Publish one batch; returns how many events were published."""
        checkpoint = await self._storage.get_checkpoint(self.name)
        records = await self._storage.read_all(after_position=checkpoint, limit=self._batch_size)
        if not records:
            return 0
        await self._broker.publish([to_message(record, self._prefix) for record in records])
        try:
            await self._storage.commit(
                Commit(checkpoints=[CheckpointUpdate(self.name, checkpoint, records[-1].position)])
            )
        except CheckpointConflict:
            return 0  # another relay got there first; what we sent is deduplicated
        return len(records)

    async def run_until_caught_up(self) -> int:
        total = 0
        while (published := await self.run_once()) > 0:
            total += published
        return total

    async def lag(self) -> int:
        return await self._storage.last_position() - await self._storage.get_checkpoint(self.name)

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                async with self._pacer.background():
                    published = await self.run_once()
                failures = 0
            except Exception as error:  # a broker outage must not kill the relay
                failures += 1
                _log.error("relay failed", **describe_failure(error))
                await _wait(stop, min(30.0, 0.5 * 2**failures))
                continue
            if not published:
                checkpoint = await self._storage.get_checkpoint(self.name)
                waiter = asyncio.ensure_future(
                    self._storage.wait_for_append(checkpoint, self._poll_interval)
                )
                stopper = asyncio.ensure_future(stop.wait())
                try:
                    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    waiter.cancel()
                    stopper.cancel()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
