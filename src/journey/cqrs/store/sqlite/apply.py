"""Applying one `Commit` on an open SQLite transaction: check every precondition, then write.

Runs on the writer thread inside a savepoint, so a refused or failing commit leaves no trace
while the rest of its batch still commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

import orjson

from journey.cqrs.clock import to_micros
from journey.cqrs.store.errors import (
    AlreadyProcessed,
    CheckpointConflict,
    ConcurrencyError,
    DeadLetterConflict,
    DuplicateEventId,
    DuplicateIdempotencyKey,
    ScheduledMessageGone,
)
from journey.cqrs.store.model import (
    ANY_VERSION,
    ClearCollection,
    Commit,
    CommitResult,
    DeleteDocument,
    IdempotencyRecord,
    PutDocument,
)

_INSERT_EVENT = (
    "INSERT INTO events (position, event_id, stream_id, version, type, schema_version, data, "
    "time, recorded_at, correlation_id, causation_id, traceparent, source, subject, "
    "partition_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


class BatchState:
    """What the writer knows during one batch: the next free position and the stream versions
    it has already read or written, so repeated streams cost no extra lookups."""

    __slots__ = ("next_position", "versions")

    def __init__(self, next_position: int) -> None:
        self.next_position = next_position
        self.versions: dict[str, int] = {}


def is_single_statement(commit: Commit) -> bool:
    """A commit that writes exactly one event and nothing else (the common command)."""
    return (
        len(commit.appends) == 1
        and len(commit.appends[0].events) == 1
        and not (
            commit.checkpoints
            or commit.inbox
            or commit.idempotency
            or commit.schedule
            or commit.complete_scheduled
            or commit.cancel_scheduled
            or commit.retry_scheduled
            or commit.dead_letters
            or commit.dead_letter_updates
            or commit.documents
            or commit.snapshots
        )
    )


def apply_commit(
    connection: sqlite3.Connection, commit: Commit, batch: BatchState, now: datetime
) -> CommitResult:
    """Check and write `commit`. On any exception the caller rolls back to its savepoint and
    must discard `batch` changes, which this function makes only after everything succeeded."""
    execute = connection.execute
    stamp = now.isoformat()

    for record in commit.idempotency:
        row = execute(
            "SELECT fingerprint, result, position, created_at FROM idempotency_keys WHERE key=?",
            (record.key,),
        ).fetchone()
        if row is not None:
            raise DuplicateIdempotencyKey(
                IdempotencyRecord(
                    record.key, row[0], row[1], row[2], datetime.fromisoformat(row[3])
                )
            )

    for entry in commit.inbox:
        try:
            execute(
                "INSERT INTO inbox (consumer, message_id, processed_at) VALUES (?,?,?)",
                (entry.consumer, entry.message_id, stamp),
            )
        except sqlite3.IntegrityError:
            raise AlreadyProcessed(entry.consumer, entry.message_id) from None

    for update in commit.checkpoints:
        row = execute("SELECT position FROM checkpoints WHERE name=?", (update.name,)).fetchone()
        actual = 0 if row is None else row[0]
        if actual != update.expected:
            raise CheckpointConflict(update.name, update.expected, actual)
        execute(
            "INSERT INTO checkpoints (name, position, updated_at) VALUES (?,?,?) "
            "ON CONFLICT (name) DO UPDATE SET position=excluded.position, "
            "updated_at=excluded.updated_at",
            (update.name, update.position, stamp),
        )

    for message_id in commit.complete_scheduled:
        if execute("DELETE FROM scheduled_messages WHERE id=?", (message_id,)).rowcount != 1:
            raise ScheduledMessageGone(message_id)
    for retry in commit.retry_scheduled:
        changed = execute(
            "UPDATE scheduled_messages SET due_at=?, attempts=?, last_error=? WHERE id=?",
            (to_micros(retry.due_at), retry.attempts, retry.last_error, retry.id),
        ).rowcount
        if changed != 1:
            raise ScheduledMessageGone(retry.id)
    for message_id in commit.cancel_scheduled:
        execute("DELETE FROM scheduled_messages WHERE id=?", (message_id,))
    if commit.schedule:
        connection.executemany(
            "INSERT INTO scheduled_messages (id, due_at, kind, message_type, payload, stream_id, "
            "reply, correlation_id, causation_id, traceparent, idempotency_key, attempts, "
            "last_error, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (m.id, to_micros(m.due_at), m.kind, m.message_type, m.payload, m.stream_id,
                 m.reply, m.correlation_id, m.causation_id, m.traceparent, m.idempotency_key,
                 m.attempts, m.last_error, m.created_at.isoformat())
                for m in commit.schedule
            ],
        )  # fmt: skip

    if commit.dead_letters:
        connection.executemany(
            "INSERT INTO dead_letters (id, consumer, kind, message_id, message_type, payload, "
            "error, attempts, status, parked_at, updated_at, sequence_key, position) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (d.id, d.consumer, d.kind, d.message_id, d.message_type, d.payload, d.error,
                 d.attempts, d.status.value, d.parked_at.isoformat(), d.updated_at.isoformat(),
                 d.sequence_key, d.position)
                for d in commit.dead_letters
            ],
        )  # fmt: skip
    for dl_update in commit.dead_letter_updates:
        row = execute("SELECT status FROM dead_letters WHERE id=?", (dl_update.id,)).fetchone()
        actual = None if row is None else row[0]
        if actual != dl_update.expected.value:
            raise DeadLetterConflict(dl_update.id, dl_update.expected, actual)
        execute(
            "UPDATE dead_letters SET status=?, error=coalesce(?, error), "
            "attempts=coalesce(?, attempts), updated_at=? WHERE id=?",
            (dl_update.status.value, dl_update.error, dl_update.attempts, stamp, dl_update.id),
        )

    for op in commit.documents:
        if isinstance(op, PutDocument):
            execute(
                "INSERT INTO documents (collection, key, doc) VALUES (?,?,?) "
                "ON CONFLICT (collection, key) DO UPDATE SET doc=excluded.doc",
                (op.collection, op.key, orjson.dumps(op.document).decode()),
            )
        elif isinstance(op, DeleteDocument):
            execute("DELETE FROM documents WHERE collection=? AND key=?", (op.collection, op.key))
        elif isinstance(op, ClearCollection):
            execute("DELETE FROM documents WHERE collection=?", (op.collection,))

    for snapshot in commit.snapshots:
        execute(
            "INSERT INTO snapshots (stream_id, version, aggregate_type, schema_version, state) "
            "VALUES (?,?,?,?,?) ON CONFLICT (stream_id) DO UPDATE SET version=excluded.version, "
            "aggregate_type=excluded.aggregate_type, schema_version=excluded.schema_version, "
            "state=excluded.state",
            (snapshot.stream_id, snapshot.version, snapshot.aggregate_type,
             snapshot.schema_version, snapshot.state),
        )  # fmt: skip

    result = _append_events(connection, commit, batch, stamp)
    for record in commit.idempotency:
        # The record remembers where the command's events landed, for read-your-writes replays.
        position = record.position if record.position is not None else result.last_position
        execute(
            "INSERT INTO idempotency_keys (key, fingerprint, result, position, created_at) "
            "VALUES (?,?,?,?,?)",
            (record.key, record.fingerprint, record.result, position,
             record.created_at.isoformat()),
        )  # fmt: skip
    return result


def _append_events(
    connection: sqlite3.Connection, commit: Commit, batch: BatchState, stamp: str
) -> CommitResult:
    if not commit.appends:
        return CommitResult(None, None, {})
    versions: dict[str, int] = {}
    position = batch.next_position
    first = position
    rows = []
    for append in commit.appends:
        stream_id = append.stream_id
        actual = versions.get(stream_id)
        if actual is None:
            actual = batch.versions.get(stream_id)
        if actual is None:
            actual = connection.execute(
                "SELECT coalesce(max(version), 0) FROM events WHERE stream_id=?", (stream_id,)
            ).fetchone()[0]
        if append.expected_version not in (ANY_VERSION, actual):
            raise ConcurrencyError(stream_id, append.expected_version, actual)
        for event in append.events:
            actual += 1
            rows.append(
                (position, event.event_id, stream_id, actual, event.event_type,
                 event.schema_version, event.data, event.time.isoformat(), stamp,
                 event.correlation_id, event.causation_id, event.traceparent, event.source,
                 event.subject, event.partition_key)
            )  # fmt: skip
            position += 1
        versions[stream_id] = actual
    try:
        if len(rows) == 1:
            connection.execute(_INSERT_EVENT, rows[0])
        else:
            connection.executemany(_INSERT_EVENT, rows)
    except sqlite3.IntegrityError as error:
        # The stream versions were checked above, so a uniqueness failure is the event id.
        duplicate = _find_duplicate_event_id(connection, rows)
        raise DuplicateEventId(duplicate or "?") from error
    batch.next_position = position
    batch.versions.update(versions)
    return CommitResult(first if rows else None, position - 1 if rows else None, versions)


def _find_duplicate_event_id(
    connection: sqlite3.Connection, rows: Sequence[tuple[object, ...]]
) -> str | None:
    # executemany may have written some of our rows before failing: a row found at a position
    # other than the one we gave it is the earlier event that carries the same id.
    seen: set[object] = set()
    for row in rows:
        position, event_id = row[0], row[1]
        if event_id in seen:
            return str(event_id)
        seen.add(event_id)
        found = connection.execute(
            "SELECT position FROM events WHERE event_id=?", (event_id,)
        ).fetchone()
        if found is not None and found[0] != position:
            return str(event_id)
    return None
