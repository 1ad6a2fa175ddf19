"""Consumers: whatever reacts to recorded events (projections, sagas, command-side services).

A consumer handles one event at a time through a `ConsumerTransaction`, which collects its effects
(read-model documents, events to append, messages to schedule). The runner that feeds it
(`CatchUpSubscription` from the log, or a broker subscription) commits those effects together
with the consumer's position or inbox entry, so each event's effects happen exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, cast

import orjson

from journey.cqrs.clock import Clock
from journey.cqrs.context import MessageContext
from journey.cqrs.ids import new_id
from journey.cqrs.messages import Event
from journey.cqrs.serialization import Envelope, EventCodec
from journey.cqrs.store.model import (
    ClearCollection,
    Commit,
    DeleteDocument,
    Document,
    PutDocument,
    StreamAppend,
)
from journey.cqrs.store.port import Storage


class Consumer(Protocol):
    """Reacts to events. `name` identifies its position, inbox and dead letters."""

    @property
    def name(self) -> str: ...

    @property
    def event_types(self) -> frozenset[str] | None:
        """The event types it handles, so the store can filter; None for every type."""
        ...

    def wants(self, event_type: str) -> bool:
        """Whether this consumer handles events of this type (others are skipped cheaply)."""
        ...

    def sequence_key(self, envelope: Envelope[Event]) -> str:
        """Events with the same key must be handled in order (parked behind a dead letter)."""
        ...

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None: ...


class EventHandlerBase:
    """Convenience base: subscribe to `event_types` (None = all), order by stream."""

    name: str
    event_types: ClassVar[frozenset[str] | None] = None

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types

    def sequence_key(self, envelope: Envelope[Event]) -> str:
        return envelope.stream_id


@dataclass(slots=True)
class _PendingAppend:
    stream_id: str
    expected_version: int
    events: Sequence[Event]
    context: MessageContext


_MISSING = object()


class ConsumerTransaction:
    """The effects of handling a batch of events, with savepoints per event.

    Documents read back what this transaction wrote (read-your-own-writes); `savepoint` and
    `rollback_to` let the runner undo one failed event's effects and keep the others.
    """

    def __init__(self, storage: Storage, codec: EventCodec, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self.commit = Commit()
        self._codec = codec
        self._appends: list[_PendingAppend] = []
        # What this transaction put, as the JSON the store will keep (None: deleted). Reads get
        # a fresh decoding: what a read after the commit would get, and no caller can change
        # what was put by changing the dict it put or read (deepcopy did this at 5x the cost).
        self._overlay: dict[tuple[str, str], bytes | None] = {}
        self._cleared: set[str] = set()
        self._undo: list[tuple[str, Any, Any]] = []
        # Per-transaction working memory of consumers (e.g. saga states loaded in this batch).
        self.scratch: dict[str, Any] = {}

    # -- read models -----------------------------------------------------------------------------
    async def get(self, collection: str, key: str) -> Document | None:
        found = self._overlay.get((collection, key), _MISSING)
        if found is _MISSING:
            if collection in self._cleared:
                return None
            return await self.storage.get_document(collection, key)
        return None if found is None else cast(Document, orjson.loads(cast(bytes, found)))

    def put(self, collection: str, key: str, document: Document) -> None:
        encoded = orjson.dumps(document)  # a document that cannot be stored fails here
        self._remember(collection, key)
        self._overlay[(collection, key)] = encoded
        self.commit.documents.append(PutDocument(collection, key, orjson.loads(encoded)))

    def delete(self, collection: str, key: str) -> None:
        self._remember(collection, key)
        self._overlay[(collection, key)] = None
        self.commit.documents.append(DeleteDocument(collection, key))

    def clear(self, collection: str) -> None:
        self._undo.append(("clear", collection, collection in self._cleared))
        for pair in [pair for pair in self._overlay if pair[0] == collection]:
            self._remember(*pair)
            del self._overlay[pair]
        self._cleared.add(collection)
        self.commit.documents.append(ClearCollection(collection))

    def _remember(self, collection: str, key: str) -> None:
        self._undo.append(
            ("doc", (collection, key), self._overlay.get((collection, key), _MISSING))
        )

    # -- events ----------------------------------------------------------------------------------
    def append(
        self,
        stream_id: str,
        events: Sequence[Event],
        expected_version: int,
        *,
        context: MessageContext,
    ) -> None:
        """Append events (encoded when the transaction is built) as effects of `context`."""
        self._appends.append(_PendingAppend(stream_id, expected_version, events, context))

    @property
    def codec(self) -> EventCodec:
        return self._codec

    # -- savepoints ------------------------------------------------------------------------------
    def savepoint(self) -> tuple[tuple[int, ...], int, int]:
        return (self.commit.mark(), len(self._appends), len(self._undo))

    def rollback_to(self, mark: tuple[tuple[int, ...], int, int]) -> None:
        commit_mark, appends, undo = mark
        self.commit.rollback_to(commit_mark)
        del self._appends[appends:]
        while len(self._undo) > undo:
            kind, target, previous = self._undo.pop()
            if kind == "clear":
                if not previous:
                    self._cleared.discard(target)
            elif previous is _MISSING:
                self._overlay.pop(target, None)
            else:
                self._overlay[target] = previous

    # -- building --------------------------------------------------------------------------------
    async def build(self) -> Commit:
        now = self.clock.now()
        for pending in self._appends:
            records = [
                await self._codec.encode(
                    event, event_id=new_id(), time=now, context=pending.context
                )
                for event in pending.events
            ]
            self.commit.appends.append(
                StreamAppend(pending.stream_id, pending.expected_version, records)
            )
        self._appends.clear()
        return self.commit
