"""Catch-up subscriptions: feed a consumer from the log, in order, exactly once.

Each batch of events becomes one commit holding the consumer's effects and its new checkpoint, so
a crash anywhere leaves either both or neither. A failing event is retried with backoff, then
parked as a dead letter (with later events of its sequence behind it) so the others flow on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import orjson
import structlog

from journey.cqrs.clock import Clock
from journey.cqrs.consumers import Consumer, ConsumerTransaction
from journey.cqrs.context import MessageContext, handling
from journey.cqrs.dead_letters import WAITING, event_letter_id, request_redrive
from journey.cqrs.logsafe import describe_failure
from journey.cqrs.messages import Event
from journey.cqrs.pacing import UNPACED, Pacer
from journey.cqrs.records import StoredEvent
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.serialization import Envelope, EventCodec
from journey.cqrs.store.errors import (
    CheckpointConflict,
    ConcurrencyError,
    DeadLetterConflict,
)
from journey.cqrs.store.model import (
    CheckpointUpdate,
    DeadLetter,
    DeadLetterStatus,
    DeadLetterUpdate,
)
from journey.cqrs.store.port import Storage

_log = structlog.get_logger("journey.subscriptions")

_OPEN = (DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED)


@dataclass(slots=True)
class SubscriptionStats:
    processed: int = 0
    parked: int = 0
    conflicts: int = 0
    last_error: dict[str, str] = field(default_factory=dict)


class EventProcessor:
    """Hands events to a consumer with retries, parks what keeps failing, redrives on request.

    Shared by the log-fed `CatchUpSubscription` and broker-fed subscribers.
    """

    def __init__(
        self,
        consumer: Consumer,
        storage: Storage,
        codec: EventCodec,
        clock: Clock,
        *,
        batch_size: int = 256,
        retry: RetryPolicy | None = None,
        poll_interval: float = 1.0,
        linger: float = 0.0,
        pacer: Pacer = UNPACED,
    ) -> None:
        self.consumer = consumer
        self._storage = storage
        self._codec = codec
        self._clock = clock
        self._batch_size = batch_size
        self._retry = retry or RetryPolicy(max_attempts=3, initial_delay=0.05, max_delay=1.0)
        self._poll_interval = poll_interval
        self._linger = linger
        self._pacer = pacer
        self._wake = asyncio.Event()
        self._next_redrive_look = 0.0  # monotonic time
        self._last_batch_full = False
        self.stats = SubscriptionStats()

    @property
    def name(self) -> str:
        return self.consumer.name

    def wake(self) -> None:
        """Look again now (e.g. after a redrive was requested in this process)."""
        self._wake.set()

    async def _handle(
        self, envelope: Envelope[Event], tx: ConsumerTransaction
    ) -> tuple[Exception, int] | None:
        failed = 0
        while True:
            mark = tx.savepoint()
            try:
                with handling(MessageContext.of_event(envelope.record)):
                    await self.consumer.handle(envelope, tx)
            except Exception as error:
                tx.rollback_to(mark)
                failed += 1
                if not self._retry.should_retry(failed):
                    return error, failed
                await asyncio.sleep(self._retry.delay(failed))
            else:
                return None

    def _park(
        self,
        tx: ConsumerTransaction,
        record: StoredEvent,
        key: str,
        error: Exception | None,
        attempts: int,
    ) -> None:
        now = self._clock.now()
        described = WAITING if error is None else _describe(error)
        tx.commit.dead_letters.append(
            DeadLetter(
                id=event_letter_id(self.name, record.event_id),
                consumer=self.name,
                kind="event",
                message_id=record.event_id,
                message_type=record.event_type,
                payload=orjson.dumps(
                    {"stream_id": record.stream_id, "position": record.position}
                ).decode(),
                error=described,
                attempts=attempts,
                status=DeadLetterStatus.PARKED,
                parked_at=now,
                updated_at=now,
                sequence_key=key,
                position=record.position,
            )
        )
        self.stats.parked += 1
        if error is not None:
            _log.warning(
                "event parked as a dead letter",
                consumer=self.name,
                event_id=record.event_id,
                event_type=record.event_type,
                attempts=attempts,
                **describe_failure(error),
            )

    async def _parked_sequences(self) -> set[str]:
        letters = await self._storage.list_dead_letters(
            consumer=self.name, statuses=_OPEN, limit=100_000
        )
        return {letter.sequence_key for letter in letters if letter.sequence_key is not None}

    # -- redrive ---------------------------------------------------------------------------------
    async def process_redrives(self) -> int:
        """Process letters an operator asked to redrive, in log order, each exactly once."""
        requested = await self._storage.list_dead_letters(
            consumer=self.name, statuses=[DeadLetterStatus.REDRIVE_REQUESTED], limit=1000
        )
        requested.sort(key=lambda letter: letter.position or 0)
        blocked: set[str | None] = set()
        cleared: set[str] = set()
        for letter in requested:
            if letter.sequence_key in blocked:
                await self._commit_letter(letter, DeadLetterStatus.PARKED, None)
                continue
            tx = ConsumerTransaction(self._storage, self._codec, self._clock)
            failure = await self._redrive_one(letter.message_id, tx)
            if failure is None:
                tx.commit.dead_letter_updates.append(
                    DeadLetterUpdate(
                        letter.id, DeadLetterStatus.REDRIVE_REQUESTED, DeadLetterStatus.RESOLVED
                    )
                )
                try:
                    await self._storage.commit(await tx.build())
                except DeadLetterConflict:
                    continue  # another runner redrove it first
                if letter.sequence_key is not None:
                    cleared.add(letter.sequence_key)
            else:
                blocked.add(letter.sequence_key)
                await self._commit_letter(letter, DeadLetterStatus.PARKED, failure)
        await self._release_waiting(cleared - {key for key in blocked if key is not None})
        return len(requested)

    async def _redrive_one(
        self, event_id: str, tx: ConsumerTransaction
    ) -> tuple[Exception, int] | None:
        record = await self._storage.read_event(event_id)
        if record is None:
            return LookupError(f"event {event_id} is not in the log"), 1
        try:
            envelope = await self._codec.decode(record)
        except Exception as error:
            return error, 1
        return await self._handle(envelope, tx)

    async def _commit_letter(
        self,
        letter: DeadLetter,
        status: DeadLetterStatus,
        failure: tuple[Exception, int] | None,
    ) -> None:
        update = DeadLetterUpdate(
            letter.id,
            DeadLetterStatus.REDRIVE_REQUESTED,
            status,
            error=None if failure is None else _describe(failure[0]),
            attempts=None if failure is None else letter.attempts + failure[1],
        )
        tx = ConsumerTransaction(self._storage, self._codec, self._clock)
        tx.commit.dead_letter_updates.append(update)
        with contextlib.suppress(DeadLetterConflict):  # another runner handled it
            await self._storage.commit(tx.commit)

    async def _release_waiting(self, sequences: set[str]) -> None:
        """Letters that only waited behind a now-resolved one are queued for redrive too."""
        if not sequences:
            return
        waiting = [
            letter.id
            for letter in await self._storage.list_dead_letters(
                consumer=self.name, statuses=[DeadLetterStatus.PARKED], limit=100_000
            )
            if letter.sequence_key in sequences and letter.attempts == 0
        ]
        if waiting:
            await request_redrive(self._storage, waiting)


class CatchUpSubscription(EventProcessor):
    """Runs one consumer over the log from its checkpoint, one commit per batch."""

    async def run(self, stop: asyncio.Event) -> None:
        """Process until `stop` is set, waiting for new events when caught up.

        With a `linger`, a consumer that was woken by a new event, or whose last batch was not
        full, waits that long before reading: under a burst of small commits it then reads a
        few events per round instead of one round (and one commit) per event, which is where a
        busy server's time went. Redrive requests are looked for at most once per poll interval
        (and whenever `wake` is called). Each round is one turn of the `pacer` (`Pacer`): it
        gives way while commands are in flight.
        """
        failures = 0
        while not stop.is_set():
            try:
                async with self._pacer.background():
                    redriven = await self._redrives_if_due()
                    processed = await self.run_once()
                failures = 0
            except Exception as error:  # the loop must outlive a broken store for a while
                failures += 1
                self.stats.last_error = describe_failure(error)
                _log.error("subscription failed", consumer=self.name, **describe_failure(error))
                await _sleep_or_stop(stop, min(30.0, 0.5 * 2**failures))
                continue
            if (processed and self._last_batch_full) or redriven:
                continue  # more is waiting: no pause
            if not processed and not await self._idle(stop):
                continue  # the poll interval passed with nothing new
            if self._linger:
                await _sleep_or_stop(stop, self._linger)

    async def _redrives_if_due(self) -> int:
        now = time.monotonic()
        if now < self._next_redrive_look and not self._wake.is_set():
            return 0
        self._wake.clear()
        self._next_redrive_look = now + self._poll_interval
        return await self.process_redrives()

    async def run_until_caught_up(self) -> int:
        """Process everything there is now (redrives first); for tests, rebuilds and the CLI."""
        total = await self.process_redrives()
        while (processed := await self.run_once()) > 0:
            total += processed
            if not self._last_batch_full:
                break  # it reached the head it saw: one more look would find nothing new
        return total

    async def run_once(self) -> int:
        """Process one batch. Returns how many events it moved past (0 when caught up).

        A batch refused because another writer touched the same streams (a saga's stream gets
        replies from the scheduler meanwhile) is retried smaller, down to one event, so a busy
        consumer converges instead of colliding again and again.
        """
        size = self._batch_size
        for _ in range(50):
            moved = await self._try_batch(size)
            if moved is not None:
                return moved
            self.stats.conflicts += 1
            size = max(1, size // 2)
            await asyncio.sleep(0.001)
        raise RuntimeError(f"{self.name} keeps conflicting with another writer; giving up")

    async def _try_batch(self, size: int) -> int | None:
        checkpoint = await self._storage.get_checkpoint(self.name)
        head = await self._storage.last_position()
        if head <= checkpoint:
            return 0
        records = await self._storage.read_all(
            after_position=checkpoint,
            limit=size,
            event_types=self.consumer.event_types,
        )
        records = [record for record in records if record.position <= head]
        full = self._last_batch_full = len(records) == size
        new_checkpoint = records[-1].position if full else head
        # Parked sequences matter only when there is something to process.
        parked = await self._parked_sequences() if records else set()
        tx = ConsumerTransaction(self._storage, self._codec, self._clock)
        for record in records:
            await self._process(record, tx, parked)
        tx.commit.checkpoints.append(CheckpointUpdate(self.name, checkpoint, new_checkpoint))
        try:
            await self._storage.commit(await tx.build())
        except (CheckpointConflict, ConcurrencyError):
            return None  # someone else moved first: read again and redo the batch
        self.stats.processed += len(records)
        return new_checkpoint - checkpoint

    async def _process(
        self, record: StoredEvent, tx: ConsumerTransaction, parked: set[str]
    ) -> None:
        if not self.consumer.wants(record.event_type):
            return  # before decoding: a consumer is not held up by types it does not handle
        try:
            envelope = await self._codec.decode(record)
        except Exception as error:  # an undecodable event cannot succeed by retrying
            self._park(tx, record, record.stream_id, error, attempts=1)
            parked.add(record.stream_id)
            return
        key = self.consumer.sequence_key(envelope)
        if key in parked:
            self._park(tx, record, key, None, attempts=0)
            return
        failure = await self._handle(envelope, tx)
        if failure is not None:
            self._park(tx, record, key, failure[0], failure[1])
            parked.add(key)

    async def _idle(self, stop: asyncio.Event) -> bool:
        """Wait for a new event, a `wake` or `stop`, at most a poll interval. True when there is
        something to look at (an append or a wake), False when the interval just passed."""
        checkpoint = await self._storage.get_checkpoint(self.name)
        appended = asyncio.ensure_future(
            self._storage.wait_for_append(checkpoint, self._poll_interval)
        )
        woken = asyncio.ensure_future(self._wake.wait())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait(
                {appended, woken, stopped},
                timeout=self._poll_interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
            return self._wake.is_set() or (appended.done() and appended.result())
        finally:
            for task in (appended, woken, stopped):
                task.cancel()


def _describe(error: Exception) -> str:
    summary = describe_failure(error)
    parts = [summary["error_type"]]
    if "error" in summary:
        parts.append(summary["error"])
    if "raised_at" in summary:
        parts.append(f"at {summary['raised_at']}")
    return ": ".join(parts[:2]) + (f" ({parts[2]})" if len(parts) > 2 else "")


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
