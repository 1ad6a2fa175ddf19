"""The scheduler: delivers scheduled messages when they fall due, each exactly once.

A scheduled message is a row written in the same commit as the decision that wanted it (a saga
step, a timer, a deadline). When it falls due the scheduler either appends its event or sends its
command, and marks the row done **in that same commit**: a crash at any point neither loses the
message nor delivers it twice. Commands that fail for a passing reason are retried with
exponential backoff and jitter; when retries run out they become dead letters, which an operator
can redrive after a fix. Whoever asked for a command (`reply`) hears how it went through an event
appended to their stream.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import structlog

from journey.cqrs.bus.command_bus import CommandBus, CommandResult
from journey.cqrs.clock import Clock
from journey.cqrs.context import MessageContext, child_traceparent
from journey.cqrs.dead_letters import SCHEDULER, command_letter_id, scheduled_to_json
from journey.cqrs.errors import DomainError
from journey.cqrs.ids import new_id
from journey.cqrs.logsafe import describe_failure
from journey.cqrs.messages import Event
from journey.cqrs.pacing import UNPACED, Pacer
from journey.cqrs.records import NewEvent
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.scheduling import schedule_command, schedule_event
from journey.cqrs.serialization import EventCodec
from journey.cqrs.store.errors import ScheduledMessageGone, StoreUnavailable
from journey.cqrs.store.model import (
    ANY_VERSION,
    Commit,
    DeadLetter,
    DeadLetterStatus,
    DeadLetterUpdate,
    ScheduledMessage,
    ScheduledRetry,
    StreamAppend,
)
from journey.cqrs.store.port import Storage
from journey.cqrs.unit_of_work import UnitOfWork

__all__ = [
    "SCHEDULER_EVENTS",
    "ScheduledCommandDeadLettered",
    "ScheduledCommandRejected",
    "ScheduledCommandSucceeded",
    "Scheduler",
    "schedule_command",  # where scheduled messages are built (journey.cqrs.scheduling)
    "schedule_event",
]

_log = structlog.get_logger("journey.scheduler")


# -- what callers hear back ------------------------------------------------------------------------
class ScheduledCommandSucceeded(Event):
    """A scheduled command was handled; `result` is what its handler returned."""

    event_type = "journey.scheduler.CommandSucceeded"

    scheduled_id: str
    command_type: str
    tag: dict[str, Any]
    result: Any = None


class ScheduledCommandRejected(Event):
    """A scheduled command was refused by the domain's rules; retrying will not help."""

    event_type = "journey.scheduler.CommandRejected"

    scheduled_id: str
    command_type: str
    tag: dict[str, Any]
    reason: str


class ScheduledCommandDeadLettered(Event):
    """A scheduled command kept failing and was parked for an operator."""

    event_type = "journey.scheduler.CommandDeadLettered"

    scheduled_id: str
    command_type: str
    tag: dict[str, Any]
    error: str
    attempts: int


SCHEDULER_EVENTS: tuple[type[Event], ...] = (
    ScheduledCommandSucceeded,
    ScheduledCommandRejected,
    ScheduledCommandDeadLettered,
)


# -- delivering them -------------------------------------------------------------------------------
class Scheduler:
    def __init__(
        self,
        storage: Storage,
        bus: CommandBus,
        codec: EventCodec,
        clock: Clock,
        *,
        retry: RetryPolicy | None = None,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        pacer: Pacer = UNPACED,
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._codec = codec
        self._clock = clock
        self._retry = retry or RetryPolicy(max_attempts=8, initial_delay=1.0, max_delay=600.0)
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._pacer = pacer
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def fire_due(self) -> int:
        """Deliver every message due now; returns how many were handled (fired or retried)."""
        handled = 0
        while True:
            due = await self._storage.due_scheduled(self._clock.now(), self._batch_size)
            if not due:
                return handled
            await self._fire_together(due)
            handled += len(due)
            if len(due) < self._batch_size:
                return handled

    async def run(self, stop: asyncio.Event) -> None:
        """Fire due messages until `stop`, sleeping until the next is due or the log grows."""
        while not stop.is_set():
            try:
                async with self._pacer.background():
                    await self.fire_due()
                next_due = await self._storage.next_due_at()
                position = await self._storage.last_position()
            except Exception as error:
                _log.error("scheduler failed", **describe_failure(error))
                await _wait_any(stop, self._wake, None, 5.0)
                continue
            wait = self._poll_interval
            if next_due is not None:
                wait = min(wait, max(0.0, (next_due - self._clock.now()).total_seconds()))
            self._wake.clear()
            # New rows are written together with events, so a growing log is worth a look.
            await _wait_any(stop, self._wake, self._storage.wait_for_append(position, wait), wait)

    async def _fire_together(self, due: list[ScheduledMessage]) -> None:
        """Fire messages of different conversations concurrently, each conversation's in order.

        One after another, every command would wait for its own commit (and fsync); together,
        their commits share one. A conversation keeps the order its messages fell due in: the
        stream a timer appends to or a command's reply goes to (one saga instance: one
        customer's journey), else the correlation id.
        """
        conversations: dict[str, list[ScheduledMessage]] = {}
        for message in due:
            conversations.setdefault(_conversation(message), []).append(message)

        async def in_order(messages: list[ScheduledMessage]) -> None:
            for message in messages:
                await self._fire(message)

        outcomes = await asyncio.gather(
            *(in_order(messages) for messages in conversations.values()), return_exceptions=True
        )
        for outcome in outcomes:  # every conversation ran to its end; now report a failure
            if isinstance(outcome, BaseException):
                raise outcome

    async def _fire(self, message: ScheduledMessage) -> None:
        letter = await self._storage.get_dead_letter(command_letter_id(message.id))
        redriven = letter is not None and letter.status is DeadLetterStatus.REDRIVE_REQUESTED
        reply = orjson.loads(message.reply) if message.reply else None
        try:
            if message.kind == "event":
                await self._append_event(message, redriven)
            else:
                await self._send_command(message, redriven, reply)
        except (ScheduledMessageGone, StoreUnavailable) as error:
            if isinstance(error, StoreUnavailable):
                raise  # the store, not the message, is the problem: try again later
            # another scheduler delivered or cancelled it first
        except Exception as error:  # one undeliverable message must not hold up the others
            await self._give_up(message, error, redriven, reply)

    async def _append_event(self, message: ScheduledMessage, redriven: bool) -> None:
        assert message.stream_id is not None
        stored = orjson.loads(message.payload)
        registry = self._codec.registry
        cls = registry.schema(message.message_type).cls
        data = registry.upcast(message.message_type, stored["schema_version"], stored["data"])
        context = self._context(message)
        record = await self._codec.encode(
            cls.model_validate(data), event_id=new_id(), time=self._clock.now(), context=context
        )
        commit = Commit(complete_scheduled=[message.id])
        commit.appends.append(_append(message.stream_id, record))
        if redriven:
            commit.dead_letter_updates.append(_resolve(message.id))
        await self._storage.commit(commit)

    async def _send_command(
        self, message: ScheduledMessage, redriven: bool, reply: dict[str, Any] | None
    ) -> None:
        command = await self._codec.decode_message(
            self._bus.command_class(message.message_type), message.payload
        )

        async def complete(value: Any, uow: UnitOfWork) -> None:
            uow.extra.complete_scheduled.append(message.id)
            if redriven:
                uow.extra.dead_letter_updates.append(_resolve(message.id))
            if reply is not None:
                uow.append(
                    reply["stream_id"],
                    [_succeeded(message, reply, value)],
                    ANY_VERSION,
                )

        try:
            result = await self._bus.send(
                command,
                context=self._context(message),
                after_handler=complete,
            )
        except (ScheduledMessageGone, StoreUnavailable):
            raise
        except DomainError as error:
            await self._rejected(message, error, redriven, reply)
            return
        except Exception as error:
            await self._failed(message, error, redriven, reply)
            return
        if result.replayed:
            await self._replayed(message, result, redriven, reply)

    def _context(self, message: ScheduledMessage) -> MessageContext:
        # The message id is stable across retries, so the command keeps its identity.
        return MessageContext(
            message_id=message.id,
            correlation_id=message.correlation_id,
            causation_id=message.causation_id,
            traceparent=child_traceparent(message.traceparent),
            idempotency_key=message.idempotency_key,
        )

    async def _replayed(
        self,
        message: ScheduledMessage,
        result: CommandResult,
        redriven: bool,
        reply: dict[str, Any] | None,
    ) -> None:
        # An earlier run with the same idempotency key did the work: just close the row.
        commit = Commit(complete_scheduled=[message.id])
        if redriven:
            commit.dead_letter_updates.append(_resolve(message.id))
        if reply is not None:
            succeeded = _succeeded(message, reply, result.value)
            commit.appends.append(
                _append(reply["stream_id"], await self._encode(succeeded, message))
            )
        await self._storage.commit(commit)

    async def _rejected(
        self,
        message: ScheduledMessage,
        error: DomainError,
        redriven: bool,
        reply: dict[str, Any] | None,
    ) -> None:
        commit = Commit(complete_scheduled=[message.id])
        if redriven:
            commit.dead_letter_updates.append(_resolve(message.id))
        if reply is not None:
            event = ScheduledCommandRejected(
                scheduled_id=message.id,
                command_type=message.message_type,
                tag=reply["tag"],
                reason=str(error),
            )
            commit.appends.append(_append(reply["stream_id"], await self._encode(event, message)))
        await self._storage.commit(commit)

    async def _failed(
        self,
        message: ScheduledMessage,
        error: Exception,
        redriven: bool,
        reply: dict[str, Any] | None,
    ) -> None:
        attempts = message.attempts + 1
        summary = describe_failure(error)
        if self._retry.should_retry(attempts):
            due = self._clock.now() + self._retry.backoff(attempts)
            _log.warning(
                "scheduled command failed; will retry",
                scheduled_id=message.id,
                command=message.message_type,
                attempts=attempts,
                retry_at=due.isoformat(),
                **summary,
            )
            await self._storage.commit(
                Commit(
                    retry_scheduled=[
                        ScheduledRetry(message.id, due, attempts, summary["error_type"])
                    ]
                )
            )
            return
        await self._give_up(message, error, redriven, reply, attempts)

    async def _give_up(
        self,
        message: ScheduledMessage,
        error: Exception,
        redriven: bool,
        reply: dict[str, Any] | None,
        attempts: int | None = None,
    ) -> None:
        attempts = attempts or message.attempts + 1
        summary = describe_failure(error)
        described = summary["error_type"] + (f": {summary['error']}" if "error" in summary else "")
        now = self._clock.now()
        commit = Commit(complete_scheduled=[message.id])
        letter_id = command_letter_id(message.id)
        if redriven:
            commit.dead_letter_updates.append(
                DeadLetterUpdate(
                    letter_id,
                    DeadLetterStatus.REDRIVE_REQUESTED,
                    DeadLetterStatus.PARKED,
                    error=described,
                    attempts=attempts,
                )
            )
        else:
            commit.dead_letters.append(
                DeadLetter(
                    id=letter_id,
                    consumer=SCHEDULER,
                    kind=message.kind,
                    message_id=message.id,
                    message_type=message.message_type,
                    payload=scheduled_to_json(message),
                    error=described,
                    attempts=attempts,
                    status=DeadLetterStatus.PARKED,
                    parked_at=now,
                    updated_at=now,
                    sequence_key=message.correlation_id,
                )
            )
        if reply is not None:
            event = ScheduledCommandDeadLettered(
                scheduled_id=message.id,
                command_type=message.message_type,
                tag=reply["tag"],
                error=described,
                attempts=attempts,
            )
            commit.appends.append(_append(reply["stream_id"], await self._encode(event, message)))
        _log.error(
            "scheduled command dead-lettered",
            scheduled_id=message.id,
            command=message.message_type,
            attempts=attempts,
            **summary,
        )
        await self._storage.commit(commit)

    async def _encode(self, event: Event, message: ScheduledMessage) -> NewEvent:
        return await self._codec.encode(
            event, event_id=new_id(), time=self._clock.now(), context=self._context(message)
        )


def _succeeded(message: ScheduledMessage, reply: dict[str, Any], value: Any) -> Event:
    return ScheduledCommandSucceeded(
        scheduled_id=message.id, command_type=message.message_type, tag=reply["tag"], result=value
    )


def _resolve(scheduled_id: str) -> DeadLetterUpdate:
    return DeadLetterUpdate(
        command_letter_id(scheduled_id),
        DeadLetterStatus.REDRIVE_REQUESTED,
        DeadLetterStatus.RESOLVED,
    )


def _append(stream_id: str, record: NewEvent) -> StreamAppend:
    return StreamAppend(stream_id, ANY_VERSION, [record])


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, extra: Any, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    if extra is not None:
        waiters.append(asyncio.ensure_future(extra))
    try:
        await asyncio.wait(waiters, timeout=max(timeout, 0.0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _conversation(message: ScheduledMessage) -> str:
    """Which messages must be delivered in order with this one (see `_fire_together`)."""
    if message.stream_id is not None:
        return message.stream_id
    if message.reply:
        stream = orjson.loads(message.reply).get("stream_id")
        if isinstance(stream, str):
            return stream
    return message.correlation_id or message.id
