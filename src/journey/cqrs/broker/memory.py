"""The in-process broker: JetStream semantics (durable consumers, redelivery, dedupe) in memory.

It is a real transport for one process (tests, the embedded default's live fan-out), but it keeps
nothing across restarts. Durable kernel consumers therefore read the event log itself in the
embedded mode (see `CatchUpSubscription`); see docs/decisions/0003-broker-and-relay.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import structlog

from journey.cqrs.broker.port import BrokerMessage, Handler
from journey.cqrs.broker.subjects import subject_matches
from journey.cqrs.logsafe import describe_failure

_log = structlog.get_logger("journey.broker")


class _Delivery:
    __slots__ = ("attempt", "message", "outcome")

    def __init__(self, message: BrokerMessage, attempt: int) -> None:
        self.message = message
        self.attempt = attempt
        self.outcome: tuple[str, float] | None = None

    async def ack(self) -> None:
        self.outcome = self.outcome or ("ack", 0.0)

    async def nak(self, delay: float = 0.0) -> None:
        self.outcome = self.outcome or ("nak", delay)

    async def term(self) -> None:
        self.outcome = self.outcome or ("term", 0.0)


class _DurableConsumer:
    def __init__(self, broker: MemoryBroker, durable: str) -> None:
        self._broker = broker
        self.durable = durable
        self.position = 0  # index of the next message in the broker's log
        self.delivered = 0
        self.dropped = 0  # messages that ran out of deliveries
        self._task: asyncio.Task[None] | None = None
        self._signal = asyncio.Event()

    def start(
        self,
        subjects: Sequence[str],
        handler: Handler,
        max_deliver: int,
        backoff: Sequence[float],
    ) -> None:
        if self._task is not None and not self._task.done():
            raise RuntimeError(f"durable consumer {self.durable!r} is already subscribed")
        self._task = asyncio.get_running_loop().create_task(
            self._run(tuple(subjects), handler, max_deliver, tuple(backoff)),
            name=f"journey-broker-{self.durable}",
        )

    def notify(self) -> None:
        self._signal.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(
        self,
        subjects: tuple[str, ...],
        handler: Handler,
        max_deliver: int,
        backoff: tuple[float, ...],
    ) -> None:
        broker = self._broker
        while True:
            self._signal.clear()
            while self.position < broker.end:
                # Messages dropped by the size limit are skipped, as JetStream's "discard old".
                self.position = max(self.position, broker.start)
                message = broker.log[self.position - broker.start]
                if any(subject_matches(pattern, message.subject) for pattern in subjects):
                    await self._deliver(message, handler, max_deliver, backoff)
                self.position += 1
            await self._signal.wait()

    async def _deliver(
        self,
        message: BrokerMessage,
        handler: Handler,
        max_deliver: int,
        backoff: tuple[float, ...],
    ) -> None:
        for attempt in range(1, max_deliver + 1):
            delivery = _Delivery(message, attempt)
            default_delay = backoff[min(attempt, len(backoff)) - 1] if backoff else 0.0
            try:
                await handler(delivery)
            except Exception as error:
                _log.warning(
                    "delivery failed",
                    durable=self.durable,
                    message_id=message.message_id,
                    attempt=attempt,
                    **describe_failure(error),
                )
                await delivery.nak(default_delay)
            else:
                await delivery.ack()
            self.delivered += 1
            assert delivery.outcome is not None
            kind, delay = delivery.outcome
            if kind != "nak":
                return
            await asyncio.sleep(delay)
        self.dropped += 1


class _MemorySubscription:
    def __init__(self, consumer: _DurableConsumer) -> None:
        self._consumer = consumer

    async def stop(self) -> None:
        await self._consumer.stop()


class MemoryBroker:
    """Keeps published messages in a list; each durable consumer walks it at its own pace.

    Like a JetStream stream with limits retention, it keeps at most `max_messages` and drops the
    oldest beyond that, so a long-running process does not hoard every event it ever relayed.
    """

    def __init__(self, *, dedupe_window: float = 120.0, max_messages: int = 10_000) -> None:
        if max_messages < 1:
            raise ValueError("max_messages must be at least 1")
        self.log: list[BrokerMessage] = []
        self.start = 0  # the stream sequence of log[0] (earlier messages were dropped)
        self._max_messages = max_messages
        self._dedupe_window = dedupe_window
        self._seen: dict[str, float] = {}
        self._consumers: dict[str, _DurableConsumer] = {}

    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        now = time.monotonic()
        self._forget_before(now - self._dedupe_window)
        published = False
        for message in messages:
            if message.message_id in self._seen:
                continue
            self._seen[message.message_id] = now
            self.log.append(message)
            published = True
        if len(self.log) > self._max_messages:
            dropped = len(self.log) - self._max_messages
            del self.log[:dropped]
            self.start += dropped
        if published:
            for consumer in self._consumers.values():
                consumer.notify()

    async def subscribe(
        self,
        *,
        durable: str,
        subjects: Sequence[str],
        handler: Handler,
        max_deliver: int = 5,
        backoff: Sequence[float] = (0.1, 1.0, 5.0),
    ) -> _MemorySubscription:
        if max_deliver < 1:
            raise ValueError("max_deliver must be at least 1")
        consumer = self._consumers.get(durable)
        if consumer is None:
            consumer = self._consumers[durable] = _DurableConsumer(self, durable)
        consumer.start(subjects, handler, max_deliver, backoff)
        return _MemorySubscription(consumer)

    @property
    def end(self) -> int:
        """The stream sequence after the last message."""
        return self.start + len(self.log)

    def consumer_info(self, durable: str) -> dict[str, int]:
        consumer = self._consumers[durable]
        return {
            "pending": self.end - max(consumer.position, self.start),
            "delivered": consumer.delivered,
            "dropped": consumer.dropped,
        }

    async def close(self) -> None:
        for consumer in self._consumers.values():
            await consumer.stop()

    def _forget_before(self, cutoff: float) -> None:
        # Insertion order is publication order, so the oldest ids come first.
        while self._seen:
            oldest = next(iter(self._seen))
            if self._seen[oldest] >= cutoff:
                return
            del self._seen[oldest]
