"""An in-memory storage adapter: real semantics, no durability. For tests and ephemeral runs."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson

from journey.cqrs.records import NewEvent, ReplayRecord, StoredEvent
from journey.cqrs.store.errors import (
    AlreadyProcessed,
    CheckpointConflict,
    ConcurrencyError,
    DeadLetterConflict,
    DuplicateEventId,
    DuplicateIdempotencyKey,
    ScheduledMessageGone,
    StoreUnavailable,
)
from journey.cqrs.store.model import (
    ANY_VERSION,
    ClearCollection,
    Commit,
    CommitResult,
    DeadLetter,
    DeadLetterStatus,
    DeleteDocument,
    Document,
    IdempotencyRecord,
    PutDocument,
    ScheduledMessage,
    Snapshot,
    StreamAppend,
    check_field_name,
)
from journey.cqrs.store.port import Scalar
from journey.cqrs.store.signal import AppendSignal


class MemoryStorage:
    """Keeps everything in dictionaries. A commit is checked in full before any of it applies,
    and no await happens in between, so commits are atomic on the event loop."""

    def __init__(self) -> None:
        self._log: list[StoredEvent] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._by_id: dict[str, StoredEvent] = {}
        self._checkpoints: dict[str, int] = {}
        self._inbox: set[tuple[str, str]] = set()
        self._idempotency: dict[str, IdempotencyRecord] = {}
        self._scheduled: dict[str, ScheduledMessage] = {}
        self._dead_letters: dict[str, DeadLetter] = {}
        self._documents: dict[str, dict[str, bytes]] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._signal = AppendSignal()
        self._closed = False

    # -- writing ---------------------------------------------------------------------------------
    async def commit(self, commit: Commit) -> CommitResult:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        self._check(commit)
        return self._apply(commit)

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> CommitResult:
        return await self.commit(
            Commit(appends=[StreamAppend(stream_id, expected_version, events)])
        )

    def _check(self, commit: Commit) -> None:
        for record in commit.idempotency:
            if record.key in self._idempotency:
                raise DuplicateIdempotencyKey(self._idempotency[record.key])
        seen_inbox: set[tuple[str, str]] = set()
        for entry in commit.inbox:
            key = (entry.consumer, entry.message_id)
            if key in self._inbox or key in seen_inbox:
                raise AlreadyProcessed(entry.consumer, entry.message_id)
            seen_inbox.add(key)
        checkpoints: dict[str, int] = {}
        for update in commit.checkpoints:
            actual = checkpoints.get(update.name, self._checkpoints.get(update.name, 0))
            if actual != update.expected:
                raise CheckpointConflict(update.name, update.expected, actual)
            checkpoints[update.name] = update.position
        completed: set[str] = set()
        for message_id in [*commit.complete_scheduled, *(r.id for r in commit.retry_scheduled)]:
            if message_id not in self._scheduled or message_id in completed:
                raise ScheduledMessageGone(message_id)
            completed.add(message_id)
        statuses: dict[str, DeadLetterStatus] = {}
        for dl_update in commit.dead_letter_updates:
            current = statuses.get(dl_update.id)
            if current is None and dl_update.id in self._dead_letters:
                current = self._dead_letters[dl_update.id].status
            if current != dl_update.expected:
                raise DeadLetterConflict(dl_update.id, dl_update.expected, current)
            statuses[dl_update.id] = dl_update.status
        versions: dict[str, int] = {}
        new_ids: set[str] = set()
        for append in commit.appends:
            actual = versions.get(append.stream_id, len(self._streams.get(append.stream_id, ())))
            if append.expected_version not in (ANY_VERSION, actual):
                raise ConcurrencyError(append.stream_id, append.expected_version, actual)
            for event in append.events:
                if event.event_id in self._by_id or event.event_id in new_ids:
                    raise DuplicateEventId(event.event_id)
                new_ids.add(event.event_id)
            versions[append.stream_id] = actual + len(append.events)

    def _apply(self, commit: Commit) -> CommitResult:
        now = datetime.now(UTC)
        first: int | None = None
        versions: dict[str, int] = {}
        for append in commit.appends:
            stream = self._streams.setdefault(append.stream_id, [])
            for event in append.events:
                stored = _stored(event, append.stream_id, len(stream) + 1, len(self._log) + 1, now)
                self._log.append(stored)
                stream.append(stored)
                self._by_id[stored.event_id] = stored
                first = first or stored.position
            versions[append.stream_id] = len(stream)
        for update in commit.checkpoints:
            self._checkpoints[update.name] = update.position
        for entry in commit.inbox:
            self._inbox.add((entry.consumer, entry.message_id))
        last = len(self._log) if first is not None else None
        for record in commit.idempotency:
            if record.position is None:
                record = replace(record, position=last)  # noqa: PLW2901
            self._idempotency[record.key] = record
        for message_id in [*commit.complete_scheduled, *commit.cancel_scheduled]:
            self._scheduled.pop(message_id, None)
        for retry in commit.retry_scheduled:
            self._scheduled[retry.id] = replace(
                self._scheduled[retry.id],
                due_at=retry.due_at,
                attempts=retry.attempts,
                last_error=retry.last_error,
            )
        for message in commit.schedule:
            self._scheduled[message.id] = message
        for letter in commit.dead_letters:
            self._dead_letters[letter.id] = letter
        for dl_update in commit.dead_letter_updates:
            letter = self._dead_letters[dl_update.id]
            self._dead_letters[dl_update.id] = replace(
                letter,
                status=dl_update.status,
                error=dl_update.error if dl_update.error is not None else letter.error,
                attempts=dl_update.attempts if dl_update.attempts is not None else letter.attempts,
                updated_at=now,
            )
        for op in commit.documents:
            if isinstance(op, PutDocument):
                self._documents.setdefault(op.collection, {})[op.key] = orjson.dumps(op.document)
            elif isinstance(op, DeleteDocument):
                self._documents.get(op.collection, {}).pop(op.key, None)
            elif isinstance(op, ClearCollection):
                self._documents.pop(op.collection, None)
        for snapshot in commit.snapshots:
            self._snapshots[snapshot.stream_id] = snapshot
        if last is not None:
            self._signal.notify(last)
        return CommitResult(first, last, versions)

    # -- the event log ---------------------------------------------------------------------------
    async def read_stream(
        self, stream_id: str, *, after_version: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        stream = self._streams.get(stream_id, [])
        end = None if limit is None else after_version + limit
        return stream[after_version:end]

    async def read_for_replay(
        self, stream_id: str, *, after_version: int = 0
    ) -> list[ReplayRecord]:
        return [
            ReplayRecord(e.stream_version, e.event_type, e.schema_version, e.data)
            for e in self._streams.get(stream_id, [])[after_version:]
        ]

    async def read_all(
        self,
        *,
        after_position: int = 0,
        limit: int = 500,
        event_types: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        if event_types is None:
            return self._log[after_position : after_position + limit]
        wanted = set(event_types)
        found: list[StoredEvent] = []
        for event in self._log[after_position:]:
            if event.event_type in wanted:
                found.append(event)
                if len(found) == limit:
                    break
        return found

    async def read_event(self, event_id: str) -> StoredEvent | None:
        return self._by_id.get(event_id)

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, ()))

    async def last_position(self) -> int:
        return len(self._log)

    async def wait_for_append(self, after_position: int, timeout: float) -> bool:
        return await self._signal.wait(after_position, timeout)

    # -- consumers -------------------------------------------------------------------------------
    async def get_checkpoint(self, name: str) -> int:
        return self._checkpoints.get(name, 0)

    async def list_checkpoints(self) -> dict[str, int]:
        return dict(self._checkpoints)

    async def has_processed(self, consumer: str, message_id: str) -> bool:
        return (consumer, message_id) in self._inbox

    async def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        return self._idempotency.get(key)

    # -- schedule --------------------------------------------------------------------------------
    async def due_scheduled(self, now: datetime, limit: int = 100) -> list[ScheduledMessage]:
        due = [m for m in self._scheduled.values() if m.due_at <= now]
        due.sort(key=lambda m: (m.due_at, m.id))
        return due[:limit]

    async def next_due_at(self) -> datetime | None:
        return min((m.due_at for m in self._scheduled.values()), default=None)

    async def get_scheduled(self, message_id: str) -> ScheduledMessage | None:
        return self._scheduled.get(message_id)

    # -- dead letters ----------------------------------------------------------------------------
    async def list_dead_letters(
        self,
        *,
        consumer: str | None = None,
        statuses: Collection[DeadLetterStatus] | None = None,
        limit: int = 100,
    ) -> list[DeadLetter]:
        letters = [
            letter
            for letter in self._dead_letters.values()
            if (consumer is None or letter.consumer == consumer)
            and (statuses is None or letter.status in statuses)
        ]
        letters.sort(key=lambda letter: (letter.parked_at, letter.id))
        return letters[:limit]

    async def get_dead_letter(self, dead_letter_id: str) -> DeadLetter | None:
        return self._dead_letters.get(dead_letter_id)

    # -- read-model documents --------------------------------------------------------------------
    async def get_document(self, collection: str, key: str) -> Document | None:
        raw = self._documents.get(collection, {}).get(key)
        return None if raw is None else _load(raw)

    async def find_documents(
        self,
        collection: str,
        *,
        where: Mapping[str, Scalar] | None = None,
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 100,
        offset: int = 0,
        fields: Sequence[str] | None = None,
    ) -> list[Document]:
        wanted = None if fields is None else [check_field_name(field) for field in fields]
        matching = self._matching(collection, where)
        if order_by is None:
            matching.sort(key=lambda pair: pair[0], reverse=descending)
        else:
            field = check_field_name(order_by)
            matching.sort(
                key=lambda pair: (_sort_key(pair[1].get(field)), pair[0]), reverse=descending
            )
        page = [document for _, document in matching[offset : offset + limit]]
        if wanted is None:
            return page
        return [{f: document[f] for f in wanted if f in document} for document in page]

    async def count_documents(
        self, collection: str, *, where: Mapping[str, Scalar] | None = None
    ) -> int:
        return len(self._matching(collection, where))

    def _matching(
        self, collection: str, where: Mapping[str, Scalar] | None
    ) -> list[tuple[str, Document]]:
        conditions = [(check_field_name(k), v) for k, v in (where or {}).items()]
        found = []
        for key, raw in self._documents.get(collection, {}).items():
            document = _load(raw)
            if all(_same(document.get(field), value) for field, value in conditions):
                found.append((key, document))
        return found

    # -- snapshots -------------------------------------------------------------------------------
    async def get_snapshot(self, stream_id: str) -> Snapshot | None:
        return self._snapshots.get(stream_id)

    async def close(self) -> None:
        self._closed = True


def _stored(
    event: NewEvent, stream_id: str, version: int, position: int, now: datetime
) -> StoredEvent:
    return StoredEvent(
        position=position,
        stream_id=stream_id,
        stream_version=version,
        event_id=event.event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        data=event.data,
        time=event.time,
        recorded_at=now,
        correlation_id=event.correlation_id,
        causation_id=event.causation_id,
        traceparent=event.traceparent,
        source=event.source,
        subject=event.subject,
        partition_key=event.partition_key,
    )


def _load(raw: bytes) -> Document:
    document: Document = orjson.loads(raw)
    return document


def _same(stored: Any, wanted: Scalar) -> bool:
    # As SQL's IS: None matches missing or null; numbers compare by value (True is 1).
    if stored is None or wanted is None:
        return stored is None and wanted is None
    return bool(stored == wanted)


def _sort_key(value: Any) -> tuple[int, Any]:
    # Missing values sort first, as NULLs do in SQL; then numbers, then text.
    if value is None:
        return (0, 0)
    if isinstance(value, bool | int | float):
        return (1, value)
    return (2, str(value))
