"""The storage port: one transactional resource holding the event log and the kernel's state.

Adapters: `MemoryStorage` (tests, ephemeral runs) and `SqliteStorage` (the embedded default);
PostgreSQL joins them behind the same contract. Reads never block writers; writes go through
`commit`, which applies a `Commit` all or nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from journey.cqrs.records import NewEvent, ReplayRecord, StoredEvent
from journey.cqrs.store.model import (
    Commit,
    CommitResult,
    DeadLetter,
    DeadLetterStatus,
    Document,
    IdempotencyRecord,
    ScheduledMessage,
    Snapshot,
)

Scalar = str | int | float | bool | None


class Storage(Protocol):
    """The event log plus checkpoints, inbox, idempotency keys, schedule, dead letters,
    read-model documents and snapshots, all changed together through `commit`."""

    # -- writing ---------------------------------------------------------------------------------
    async def commit(self, commit: Commit) -> CommitResult:
        """Apply the commit atomically, or raise `CommitRejected` and write nothing."""
        ...

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> CommitResult:
        """Append events to one stream expecting it at `expected_version`."""
        ...

    # -- the event log ---------------------------------------------------------------------------
    async def read_stream(
        self, stream_id: str, *, after_version: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        """The stream's events after `after_version`, oldest first."""
        ...

    async def read_for_replay(
        self, stream_id: str, *, after_version: int = 0
    ) -> list[ReplayRecord]:
        """The stream's events after `after_version`, only what replaying them needs."""
        ...

    async def read_all(
        self,
        *,
        after_position: int = 0,
        limit: int = 500,
        event_types: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Events of the whole log after `after_position` in log order, optionally of some types."""
        ...

    async def read_event(self, event_id: str) -> StoredEvent | None: ...

    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version; 0 when it does not exist."""
        ...

    async def last_position(self) -> int:
        """The highest position a reader can safely see (no earlier event can still appear)."""
        ...

    async def wait_for_append(self, after_position: int, timeout: float) -> bool:
        """Wait until the log goes past `after_position` or the timeout passes; True if it did."""
        ...

    # -- consumers -------------------------------------------------------------------------------
    async def get_checkpoint(self, name: str) -> int: ...

    async def list_checkpoints(self) -> dict[str, int]: ...

    async def has_processed(self, consumer: str, message_id: str) -> bool: ...

    async def get_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    # -- schedule --------------------------------------------------------------------------------
    async def due_scheduled(self, now: datetime, limit: int = 100) -> list[ScheduledMessage]:
        """Pending scheduled messages due at or before `now`, earliest first."""
        ...

    async def next_due_at(self) -> datetime | None: ...

    async def get_scheduled(self, message_id: str) -> ScheduledMessage | None:
        """A scheduled message while it is pending; None once fired, cancelled or dead."""
        ...

    # -- dead letters ----------------------------------------------------------------------------
    async def list_dead_letters(
        self,
        *,
        consumer: str | None = None,
        statuses: Collection[DeadLetterStatus] | None = None,
        limit: int = 100,
    ) -> list[DeadLetter]:
        """Dead letters, oldest first."""
        ...

    async def get_dead_letter(self, dead_letter_id: str) -> DeadLetter | None: ...

    # -- read-model documents --------------------------------------------------------------------
    async def get_document(self, collection: str, key: str) -> Document | None: ...

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
        """Documents whose top-level fields equal `where`, ordered by a top-level field; with
        `fields`, only those top-level fields of each (a field a document lacks is left out),
        so a scan of large documents does not decode all of them."""
        ...

    async def count_documents(
        self, collection: str, *, where: Mapping[str, Scalar] | None = None
    ) -> int: ...

    # -- snapshots -------------------------------------------------------------------------------
    async def get_snapshot(self, stream_id: str) -> Snapshot | None: ...

    # -- lifecycle -------------------------------------------------------------------------------
    async def close(self) -> None: ...
