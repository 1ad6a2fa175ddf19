"""`SqliteStorage`: the embedded default store, one WAL file shared by writer and readers."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

import orjson

from journey.cqrs.clock import from_micros, to_micros
from journey.cqrs.records import NewEvent, ReplayRecord, StoredEvent
from journey.cqrs.store.errors import StoreUnavailable
from journey.cqrs.store.model import (
    Commit,
    CommitResult,
    DeadLetter,
    DeadLetterStatus,
    Document,
    IdempotencyRecord,
    ScheduledMessage,
    Snapshot,
    StreamAppend,
    check_field_name,
)
from journey.cqrs.store.port import Scalar
from journey.cqrs.store.signal import AppendSignal
from journey.cqrs.store.sqlite.schema import connect, migrate
from journey.cqrs.store.sqlite.writer import GroupCommitWriter, WriterStats

_EVENT_COLUMNS = (
    "position, stream_id, version, event_id, type, schema_version, data, time, recorded_at, "
    "correlation_id, causation_id, traceparent, source, subject, partition_key"
)
_SCHEDULED_COLUMNS = (
    "id, due_at, kind, message_type, payload, correlation_id, created_at, stream_id, reply, "
    "causation_id, traceparent, idempotency_key, attempts, last_error"
)
_DEAD_LETTER_COLUMNS = (
    "id, consumer, kind, message_id, message_type, payload, error, attempts, status, parked_at, "
    "updated_at, sequence_key, position"
)


class SqliteStorage:
    """Writes go through a group-committing writer thread; reads run on their own connection.

    Reads are short indexed lookups served from SQLite's page cache, so they run directly on the
    event loop's thread: a thread hop would cost more than the read. WAL mode means they never
    wait for the writer. `synchronous="FULL"` (the default) makes every commit durable.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL", max_batch: int = 500):
        self.path = str(path)
        self._synchronous = synchronous
        self._max_batch = max_batch
        self._signal = AppendSignal()
        self._writer: GroupCommitWriter | None = None
        self._reader: sqlite3.Connection | None = None

    async def open(self) -> Self:
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            setup = connect(self.path, synchronous=self._synchronous)
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(f"cannot open the store at {self.path}: {error}") from error
        try:
            migrate(setup)
        finally:
            setup.close()
        self._reader = connect(self.path, synchronous=self._synchronous)
        self._writer = GroupCommitWriter(
            connect(self.path, synchronous=self._synchronous),
            max_batch=self._max_batch,
            on_committed=self._signal.notify,
        )
        self._signal.notify(await self.last_position())
        return self

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.stop()
            self._writer = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    @property
    def writer_stats(self) -> WriterStats:
        return self._writer.stats if self._writer else WriterStats()

    # -- writing ---------------------------------------------------------------------------------
    async def commit(self, commit: Commit) -> CommitResult:
        if self._writer is None:
            raise StoreUnavailable("the store is not open")
        return await self._writer.submit(commit)

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> CommitResult:
        return await self.commit(
            Commit(appends=[StreamAppend(stream_id, expected_version, events)])
        )

    # -- the event log ---------------------------------------------------------------------------
    def _read(self) -> sqlite3.Connection:
        if self._reader is None:
            raise StoreUnavailable("the store is not open")
        return self._reader

    async def read_stream(
        self, stream_id: str, *, after_version: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        rows = self._read().execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id=? AND version>? "
            "ORDER BY version LIMIT ?",
            (stream_id, after_version, -1 if limit is None else limit),
        )
        return [_event(row) for row in rows]

    async def read_for_replay(
        self, stream_id: str, *, after_version: int = 0
    ) -> list[ReplayRecord]:
        rows = self._read().execute(
            "SELECT version, type, schema_version, data FROM events "
            "WHERE stream_id=? AND version>? ORDER BY version",
            (stream_id, after_version),
        )
        return list(map(ReplayRecord._make, rows))

    async def read_all(
        self,
        *,
        after_position: int = 0,
        limit: int = 500,
        event_types: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        if event_types is None:
            rows = self._read().execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE position>? ORDER BY position LIMIT ?",
                (after_position, limit),
            )
        else:
            types = list(event_types)
            if not types:
                return []
            marks = ",".join("?" * len(types))
            rows = self._read().execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE position>? AND type IN ({marks}) "
                "ORDER BY position LIMIT ?",
                (after_position, *types, limit),
            )
        return [_event(row) for row in rows]

    async def read_event(self, event_id: str) -> StoredEvent | None:
        row = (
            self._read()
            .execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE event_id=?", (event_id,))
            .fetchone()
        )
        return None if row is None else _event(row)

    async def stream_version(self, stream_id: str) -> int:
        row = (
            self._read()
            .execute("SELECT coalesce(max(version), 0) FROM events WHERE stream_id=?", (stream_id,))
            .fetchone()
        )
        return int(row[0])

    async def last_position(self) -> int:
        # One writer at a time and atomic commits: every position below the maximum is visible.
        row = self._read().execute("SELECT coalesce(max(position), 0) FROM events").fetchone()
        return int(row[0])

    async def wait_for_append(self, after_position: int, timeout: float) -> bool:
        if await self._signal.wait(after_position, timeout):
            return True
        # Another process may have written to the same file: look before giving up.
        return await self.last_position() > after_position

    # -- consumers -------------------------------------------------------------------------------
    async def get_checkpoint(self, name: str) -> int:
        row = self._read().execute("SELECT position FROM checkpoints WHERE name=?", (name,))
        found = row.fetchone()
        return 0 if found is None else int(found[0])

    async def list_checkpoints(self) -> dict[str, int]:
        rows = self._read().execute("SELECT name, position FROM checkpoints ORDER BY name")
        return {name: int(position) for name, position in rows}

    async def has_processed(self, consumer: str, message_id: str) -> bool:
        row = self._read().execute(
            "SELECT 1 FROM inbox WHERE consumer=? AND message_id=?", (consumer, message_id)
        )
        return row.fetchone() is not None

    async def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        row = (
            self._read()
            .execute(
                "SELECT key, fingerprint, result, position, created_at FROM idempotency_keys "
                "WHERE key=?",
                (key,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return IdempotencyRecord(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]))

    # -- schedule --------------------------------------------------------------------------------
    async def due_scheduled(self, now: datetime, limit: int = 100) -> list[ScheduledMessage]:
        rows = self._read().execute(
            f"SELECT {_SCHEDULED_COLUMNS} FROM scheduled_messages WHERE due_at<=? "
            "ORDER BY due_at, id LIMIT ?",
            (to_micros(now), limit),
        )
        return [_scheduled(row) for row in rows]

    async def next_due_at(self) -> datetime | None:
        row = self._read().execute("SELECT min(due_at) FROM scheduled_messages").fetchone()
        return None if row[0] is None else from_micros(row[0])

    async def get_scheduled(self, message_id: str) -> ScheduledMessage | None:
        row = (
            self._read()
            .execute(
                f"SELECT {_SCHEDULED_COLUMNS} FROM scheduled_messages WHERE id=?", (message_id,)
            )
            .fetchone()
        )
        return None if row is None else _scheduled(row)

    # -- dead letters ----------------------------------------------------------------------------
    async def list_dead_letters(
        self,
        *,
        consumer: str | None = None,
        statuses: Collection[DeadLetterStatus] | None = None,
        limit: int = 100,
    ) -> list[DeadLetter]:
        clauses: list[str] = []
        params: list[Any] = []
        if consumer is not None:
            clauses.append("consumer=?")
            params.append(consumer)
        if statuses is not None:
            wanted = [status.value for status in statuses]
            if not wanted:
                return []
            clauses.append(f"status IN ({','.join('?' * len(wanted))})")
            params.extend(wanted)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._read().execute(
            f"SELECT {_DEAD_LETTER_COLUMNS} FROM dead_letters {where} "
            "ORDER BY parked_at, id LIMIT ?",
            (*params, limit),
        )
        return [_dead_letter(row) for row in rows]

    async def get_dead_letter(self, dead_letter_id: str) -> DeadLetter | None:
        row = (
            self._read()
            .execute(
                f"SELECT {_DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id=?", (dead_letter_id,)
            )
            .fetchone()
        )
        return None if row is None else _dead_letter(row)

    # -- read-model documents --------------------------------------------------------------------
    async def get_document(self, collection: str, key: str) -> Document | None:
        row = (
            self._read()
            .execute("SELECT doc FROM documents WHERE collection=? AND key=?", (collection, key))
            .fetchone()
        )
        return None if row is None else _document(row[0])

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
        # `doc -> path` is the field as JSON text (NULL when the document lacks it), so only the
        # fields asked for are decoded.
        selected = "doc" if wanted is None else ", ".join("doc -> ?" for _ in wanted) or "NULL"
        picked = [] if wanted is None else [f"$.{field}" for field in wanted]
        condition, params = _where(collection, where)
        direction = "DESC" if descending else "ASC"
        if order_by is None:
            order = f"key {direction}"
        else:
            order = f"json_extract(doc, ?) {direction}, key {direction}"
            params.append(f"$.{check_field_name(order_by)}")
        rows = self._read().execute(
            f"SELECT {selected} FROM documents WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
            (*picked, *params, limit, offset),
        )
        if wanted is None:
            return [_document(row[0]) for row in rows]
        if not wanted:
            return [{} for _ in rows]
        return [
            {
                field: orjson.loads(value)
                for field, value in zip(wanted, row, strict=True)
                if value is not None
            }
            for row in rows
        ]

    async def count_documents(
        self, collection: str, *, where: Mapping[str, Scalar] | None = None
    ) -> int:
        condition, params = _where(collection, where)
        row = (
            self._read()
            .execute(f"SELECT count(*) FROM documents WHERE {condition}", params)
            .fetchone()
        )
        return int(row[0])

    # -- snapshots -------------------------------------------------------------------------------
    async def get_snapshot(self, stream_id: str) -> Snapshot | None:
        row = (
            self._read()
            .execute(
                "SELECT stream_id, version, aggregate_type, schema_version, state FROM snapshots "
                "WHERE stream_id=?",
                (stream_id,),
            )
            .fetchone()
        )
        return None if row is None else Snapshot(row[0], row[1], row[2], row[3], row[4])


def _where(collection: str, where: Mapping[str, Scalar] | None) -> tuple[str, list[Any]]:
    clauses = ["collection=?"]
    params: list[Any] = [collection]
    for field, value in (where or {}).items():
        clauses.append("json_extract(doc, ?) IS ?")
        params.extend((f"$.{check_field_name(field)}", value))
    return " AND ".join(clauses), params


def _event(row: tuple[Any, ...]) -> StoredEvent:
    # Positional on purpose: this runs for every event read and keywords cost a third more.
    return StoredEvent(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6],
        _from_iso(row[7]), _from_iso(row[8]),
        row[9], row[10], row[11], row[12], row[13], row[14],
    )  # fmt: skip


_from_iso = datetime.fromisoformat


def _scheduled(row: tuple[Any, ...]) -> ScheduledMessage:
    return ScheduledMessage(
        id=row[0],
        due_at=from_micros(row[1]),
        kind=row[2],
        message_type=row[3],
        payload=row[4],
        correlation_id=row[5],
        created_at=datetime.fromisoformat(row[6]),
        stream_id=row[7],
        reply=row[8],
        causation_id=row[9],
        traceparent=row[10],
        idempotency_key=row[11],
        attempts=row[12],
        last_error=row[13],
    )


def _dead_letter(row: tuple[Any, ...]) -> DeadLetter:
    return DeadLetter(
        id=row[0],
        consumer=row[1],
        kind=row[2],
        message_id=row[3],
        message_type=row[4],
        payload=row[5],
        error=row[6],
        attempts=row[7],
        status=DeadLetterStatus(row[8]),
        parked_at=datetime.fromisoformat(row[9]),
        updated_at=datetime.fromisoformat(row[10]),
        sequence_key=row[11],
        position=row[12],
    )


def _document(raw: str) -> Document:
    return cast(Document, orjson.loads(raw))
