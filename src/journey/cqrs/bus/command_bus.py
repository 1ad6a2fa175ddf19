"""The command bus: routes each command to its one handler and commits what it changed.

A handler is `async def handle(command, uow) -> value`: it loads aggregates through the unit of
work, calls their decision methods and returns a JSON-ready value (an id, a small summary). The
bus then encodes the recorded events and commits them, together with anything middleware or the
caller attached (an idempotency record, a fired timer), in one atomic commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from pydantic_core import to_jsonable_python

from journey.cqrs.aggregate_cache import AggregateCache
from journey.cqrs.clock import Clock
from journey.cqrs.context import MessageContext, current_context, enter, leave
from journey.cqrs.messages import Command
from journey.cqrs.serialization import EventCodec
from journey.cqrs.store.errors import DuplicateIdempotencyKey
from journey.cqrs.store.model import IdempotencyRecord
from journey.cqrs.store.port import Storage
from journey.cqrs.stream_locks import StreamLocks
from journey.cqrs.unit_of_work import UnitOfWork, VersionHints

C = TypeVar("C", bound=Command)
CommandHandler = Callable[[C, UnitOfWork], Awaitable[Any]]
AfterHandler = Callable[[Any, UnitOfWork], Awaitable[None]]


class NoHandler(LookupError):
    """No handler is registered for the command's type."""


class IdempotencyKeyReused(Exception):
    """The idempotency key was used before for a different command (HTTP 409)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for a different command")
        self.key = key


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command did: the handler's value, and where its events landed in the log."""

    value: Any = None  # JSON-ready
    position: int | None = None  # the last log position written; None if nothing was
    stream_versions: Mapping[str, int] = field(default_factory=dict)
    replayed: bool = False  # an earlier run with the same idempotency key answered


@dataclass(slots=True)
class Dispatch:
    """One command on its way through the middleware to its handler."""

    command: Command
    context: MessageContext
    after_handler: AfterHandler | None = None  # lets callers add effects to the same commit
    fingerprint: str | None = None  # set when an idempotency key must be recorded


Next = Callable[[Dispatch], Awaitable[CommandResult]]
Middleware = Callable[[Dispatch, Next], Awaitable[CommandResult]]


class CommandBus:
    def __init__(
        self,
        storage: Storage,
        codec: EventCodec,
        clock: Clock,
        *,
        snapshot_every: int | None = None,
    ) -> None:
        self._storage = storage
        self._codec = codec
        self._clock = clock
        self._snapshot_every = snapshot_every
        self._handlers: dict[type[Command], CommandHandler[Any]] = {}
        self._by_name: dict[str, type[Command]] = {}
        self._middleware: list[Middleware] = []
        self._pipeline: Next = self._execute
        self._locks = StreamLocks()
        self._versions = VersionHints()
        self._kept = AggregateCache()

    def register(self, command_type: type[C], handler: CommandHandler[C]) -> None:
        if command_type in self._handlers:
            raise ValueError(f"{command_type.command_type} already has a handler")
        known = self._by_name.get(command_type.command_type)
        if known is not None:
            raise ValueError(f"two command classes are named {command_type.command_type!r}")
        self._handlers[command_type] = handler
        self._by_name[command_type.command_type] = command_type

    def use(self, *middleware: Middleware) -> None:
        """Add middleware; the first one added is the outermost."""
        self._middleware.extend(middleware)
        pipeline: Next = self._execute
        for layer in reversed(self._middleware):
            pipeline = _wrap(layer, pipeline)
        self._pipeline = pipeline

    def command_class(self, command_type: str) -> type[Command]:
        """The registered class for a command type name (to decode scheduled commands)."""
        try:
            return self._by_name[command_type]
        except KeyError:
            raise NoHandler(f"no handler for command type {command_type!r}") from None

    def command_types(self) -> list[str]:
        return sorted(self._by_name)

    async def send(
        self,
        command: Command,
        *,
        context: MessageContext | None = None,
        idempotency_key: str | None = None,
        actor: str | None = None,
        after_handler: AfterHandler | None = None,
    ) -> CommandResult:
        """Handle the command and commit its effects. Raises the handler's `DomainError`s."""
        if context is None:
            parent = current_context()
            if parent is None:
                context = MessageContext.root(idempotency_key=idempotency_key, actor=actor)
            else:
                context = parent.child(idempotency_key=idempotency_key)
        return await self._pipeline(Dispatch(command, context, after_handler))

    async def _execute(self, dispatch: Dispatch) -> CommandResult:
        command = dispatch.command
        handler = self._handlers.get(type(command))
        if handler is None:
            raise NoHandler(f"no handler for command type {command.command_type!r}")
        uow = UnitOfWork(
            self._storage,
            self._codec,
            self._clock,
            dispatch.context,
            snapshot_every=self._snapshot_every,
            locks=self._locks,
            versions=self._versions,
            kept=self._kept,
        )
        try:
            token = enter(dispatch.context)
            try:
                value = await handler(command, uow)
                if value is not None and not isinstance(value, str | int | float | bool):
                    value = to_jsonable_python(value)
                if dispatch.after_handler is not None:
                    await dispatch.after_handler(value, uow)
            finally:
                leave(token)
            if dispatch.fingerprint is None and not uow.has_changes():
                uow.keep_loaded()
                return CommandResult(value)
            commit = await uow.build_commit()
            if dispatch.fingerprint is not None:
                commit.idempotency.append(self._idempotency_record(dispatch, value))
            try:
                result = await self._storage.commit(commit)
            except DuplicateIdempotencyKey as duplicate:
                return replay(duplicate.existing, dispatch)
        finally:
            uow.release()
        uow.saved(result)
        uow.keep_loaded()
        return CommandResult(value, result.last_position, result.stream_versions)

    def _idempotency_record(self, dispatch: Dispatch, value: Any) -> IdempotencyRecord:
        assert dispatch.context.idempotency_key is not None
        assert dispatch.fingerprint is not None
        return IdempotencyRecord(
            key=dispatch.context.idempotency_key,
            fingerprint=dispatch.fingerprint,
            result=orjson.dumps(value).decode(),
            position=None,
            created_at=self._clock.now(),
        )


def fingerprint(command: Command) -> str:
    """A digest of the command's type and body: the same key must come with the same command."""
    body = command.command_type.encode() + b"\x1f" + command.model_dump_json().encode()
    return hashlib.sha256(body).hexdigest()


def replay(record: IdempotencyRecord, dispatch: Dispatch) -> CommandResult:
    """The first result for a repeated idempotency key, or `IdempotencyKeyReused`."""
    if record.fingerprint != fingerprint(dispatch.command):
        raise IdempotencyKeyReused(record.key)
    return CommandResult(orjson.loads(record.result), record.position, {}, replayed=True)


def _wrap(layer: Middleware, inner: Next) -> Next:
    async def call(dispatch: Dispatch) -> CommandResult:
        return await layer(dispatch, inner)

    return call
