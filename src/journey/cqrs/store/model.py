"""What a store holds besides events, and `Commit`: the one unit of atomic change.

Every durable effect in the kernel (appending events, moving a consumer's checkpoint, recording a
processed message id, setting or firing a timer, parking a dead letter, updating a read-model
document) is expressed as data in a `Commit`. A store applies a commit all or nothing, so a
consumer's effects and its position can never disagree, whatever crashes when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from journey.cqrs.records import NewEvent

ANY_VERSION = -1
"""Append whatever the stream's version (no concurrency check)."""
NO_STREAM = 0
"""Append only if the stream does not exist yet."""

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events to add to one stream, expecting it to be at `expected_version` (or ANY_VERSION)."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]


@dataclass(frozen=True, slots=True)
class CheckpointUpdate:
    """Move a consumer's position from `expected` (0 when it never ran) to `position`."""

    name: str
    expected: int
    position: int


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """Remember that `consumer` processed `message_id`; refused if it already did."""

    consumer: str
    message_id: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first result of a command sent with an idempotency key."""

    key: str
    fingerprint: str  # hash of the command body: same key with another body is a conflict
    result: str  # JSON
    position: int | None  # None when written: the store fills in the commit's last position
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduledMessage:
    """A message to deliver at `due_at`: a command to send or an event to append.

    Timers, saga steps waiting to be dispatched and retries with backoff are all rows of this
    kind, written in the same commit as the decision that asked for them.
    """

    id: str
    due_at: datetime
    kind: Literal["command", "event"]
    message_type: str
    payload: str  # JSON
    correlation_id: str
    created_at: datetime
    stream_id: str | None = None  # where an event is appended when it fires
    reply: str | None = None  # JSON: who wants to hear about a command's outcome
    causation_id: str | None = None
    traceparent: str | None = None
    idempotency_key: str | None = None
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduledRetry:
    """Put a pending scheduled message back for another attempt at `due_at`."""

    id: str
    due_at: datetime
    attempts: int
    last_error: str


class DeadLetterStatus(StrEnum):
    PARKED = "parked"
    REDRIVE_REQUESTED = "redrive_requested"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message a consumer could not process after its retries, parked for a human."""

    id: str
    consumer: str
    kind: Literal["event", "command"]
    message_id: str  # the event id, or the scheduled message id
    message_type: str
    payload: str  # JSON: the scheduled message for commands; a reference for events
    error: str
    attempts: int
    status: DeadLetterStatus
    parked_at: datetime
    updated_at: datetime
    sequence_key: str | None = None  # later messages with the same key wait behind this one
    position: int | None = None  # the event's place in the log


@dataclass(frozen=True, slots=True)
class DeadLetterUpdate:
    """Move a dead letter from status `expected` to `status`."""

    id: str
    expected: DeadLetterStatus
    status: DeadLetterStatus
    error: str | None = None
    attempts: int | None = None


@dataclass(frozen=True, slots=True)
class PutDocument:
    collection: str
    key: str
    document: Document


@dataclass(frozen=True, slots=True)
class DeleteDocument:
    collection: str
    key: str


@dataclass(frozen=True, slots=True)
class ClearCollection:
    collection: str


DocumentOp = PutDocument | DeleteDocument | ClearCollection


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An aggregate's state at a stream version, so loading need not replay every event."""

    stream_id: str
    version: int
    aggregate_type: str
    schema_version: int
    state: str  # JSON


@dataclass(slots=True)
class Commit:
    """Everything one transaction must do, all or nothing.

    The preconditions (expected stream versions, expected checkpoints, inbox and idempotency
    uniqueness, pending scheduled messages, dead-letter statuses) are checked inside the
    transaction; if any fails, nothing of this commit is written and a `CommitRejected` names it.
    """

    appends: list[StreamAppend] = field(default_factory=list)
    checkpoints: list[CheckpointUpdate] = field(default_factory=list)
    inbox: list[InboxEntry] = field(default_factory=list)
    idempotency: list[IdempotencyRecord] = field(default_factory=list)
    schedule: list[ScheduledMessage] = field(default_factory=list)
    complete_scheduled: list[str] = field(default_factory=list)
    cancel_scheduled: list[str] = field(default_factory=list)
    retry_scheduled: list[ScheduledRetry] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    dead_letter_updates: list[DeadLetterUpdate] = field(default_factory=list)
    documents: list[DocumentOp] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.appends
            or self.checkpoints
            or self.inbox
            or self.idempotency
            or self.schedule
            or self.complete_scheduled
            or self.cancel_scheduled
            or self.retry_scheduled
            or self.dead_letters
            or self.dead_letter_updates
            or self.documents
            or self.snapshots
        )

    def merge(self, other: Commit) -> None:
        """Add everything `other` does to this commit."""
        self.appends.extend(other.appends)
        self.checkpoints.extend(other.checkpoints)
        self.inbox.extend(other.inbox)
        self.idempotency.extend(other.idempotency)
        self.schedule.extend(other.schedule)
        self.complete_scheduled.extend(other.complete_scheduled)
        self.cancel_scheduled.extend(other.cancel_scheduled)
        self.retry_scheduled.extend(other.retry_scheduled)
        self.dead_letters.extend(other.dead_letters)
        self.dead_letter_updates.extend(other.dead_letter_updates)
        self.documents.extend(other.documents)
        self.snapshots.extend(other.snapshots)

    def mark(self) -> tuple[int, ...]:
        """A savepoint: the current length of every part (see `rollback_to`)."""
        return (
            len(self.appends),
            len(self.checkpoints),
            len(self.inbox),
            len(self.idempotency),
            len(self.schedule),
            len(self.complete_scheduled),
            len(self.cancel_scheduled),
            len(self.retry_scheduled),
            len(self.dead_letters),
            len(self.dead_letter_updates),
            len(self.documents),
            len(self.snapshots),
        )

    def rollback_to(self, mark: tuple[int, ...]) -> None:
        """Forget everything added since `mark` was taken."""
        parts: tuple[list[Any], ...] = (
            self.appends,
            self.checkpoints,
            self.inbox,
            self.idempotency,
            self.schedule,
            self.complete_scheduled,
            self.cancel_scheduled,
            self.retry_scheduled,
            self.dead_letters,
            self.dead_letter_updates,
            self.documents,
            self.snapshots,
        )
        for part, length in zip(parts, mark, strict=True):
            del part[length:]


@dataclass(frozen=True, slots=True)
class CommitResult:
    """Where a commit's events landed: the log positions and each stream's new version."""

    first_position: int | None
    last_position: int | None
    stream_versions: dict[str, int]


def check_field_name(name: str) -> str:
    """Document fields used in queries must be plain identifiers (they become JSON paths)."""
    if not name.isidentifier():
        raise ValueError(f"{name!r} is not a valid document field name")
    return name
