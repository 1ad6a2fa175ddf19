"""The unit of work: loads aggregates, collects what a command changes, builds one `Commit`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

import orjson

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.aggregate_cache import AggregateCache
from journey.cqrs.clock import Clock
from journey.cqrs.context import MessageContext
from journey.cqrs.errors import NotFound
from journey.cqrs.ids import new_id
from journey.cqrs.messages import Command, Event
from journey.cqrs.scheduling import schedule_command
from journey.cqrs.serialization import EventCodec
from journey.cqrs.store.model import NO_STREAM, Commit, CommitResult, Snapshot, StreamAppend
from journey.cqrs.store.port import Storage
from journey.cqrs.stream_locks import StreamLocks

A = TypeVar("A", bound=Aggregate)


class VersionHints:
    """Stream versions this process has seen lately, to skip snapshot lookups on short streams.

    A hint may be stale (another process appended); it is only used to decide whether looking for
    a snapshot is worth a query, never for concurrency control.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._versions: dict[str, int] = {}

    def get(self, stream_id: str) -> int | None:
        return self._versions.get(stream_id)

    def remember(self, stream_id: str, version: int) -> None:
        if len(self._versions) >= self._capacity and stream_id not in self._versions:
            self._versions.clear()  # crude but bounded; hints are cheap to relearn
        self._versions[stream_id] = version


class UnitOfWork:
    """What one command handler reads and changes. Nothing is written until the bus commits.

    Aggregates loaded twice in one unit of work are the same object (identity map), so two
    changes to one aggregate in a handler become one append with one concurrency check.
    """

    def __init__(
        self,
        storage: Storage,
        codec: EventCodec,
        clock: Clock,
        context: MessageContext,
        *,
        snapshot_every: int | None = None,
        locks: StreamLocks | None = None,
        versions: VersionHints | None = None,
        kept: AggregateCache | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.context = context
        self._codec = codec
        self._snapshot_every = snapshot_every
        self._aggregates: dict[str, Aggregate] = {}
        self._appends: list[tuple[str, int, Sequence[Event]]] = []
        self._extra: Commit | None = None
        self._locks = locks
        self._held: list[str] = []
        self._versions = versions
        self._kept = kept

    @property
    def extra(self) -> Commit:
        """Other effects to commit with the command's events (a fired timer, a reply...)."""
        if self._extra is None:
            self._extra = Commit()
        return self._extra

    # -- aggregates ------------------------------------------------------------------------------
    async def get(self, cls: type[A], aggregate_id: str) -> A:
        """The aggregate's current state; `NotFound` when it has no events."""
        found = await self.find(cls, aggregate_id)
        if found is None:
            raise NotFound(f"{cls.category} {aggregate_id} does not exist")
        return found

    async def find(self, cls: type[A], aggregate_id: str) -> A | None:
        stream_id = cls.stream_id_for(aggregate_id)
        known = self._aggregates.get(stream_id)
        if known is not None:
            if not isinstance(known, cls):
                raise TypeError(f"{stream_id} is a {type(known).__name__}, not a {cls.__name__}")
            return known
        if self._locks is not None and await self._locks.acquire(stream_id):
            self._held.append(stream_id)
        aggregate = self._take_kept(cls, stream_id) or cls(aggregate_id)
        after = aggregate.version or await self._restore_snapshot(aggregate)
        # A kept aggregate is caught up like a snapshot: with what was stored after its version.
        records = await self.storage.read_for_replay(stream_id, after_version=after)
        if not records and after == 0:
            return None
        decode = self._codec.decode_event
        for record in records:
            aggregate.apply(await decode(record))
        aggregate.version = records[-1].stream_version if records else after
        self._aggregates[stream_id] = aggregate
        if self._versions is not None:
            self._versions.remember(stream_id, aggregate.version)
        return aggregate

    def add(self, aggregate: Aggregate) -> None:
        """Track a new aggregate; saving it fails with `ConcurrencyError` if it already exists."""
        if aggregate.stream_id in self._aggregates:
            raise ValueError(f"{aggregate.stream_id} is already in this unit of work")
        self._aggregates[aggregate.stream_id] = aggregate

    async def schedule(
        self, command: Command, *, at: datetime, message_id: str | None = None
    ) -> str:
        """Send `command` at `at`, committed with this unit of work (a deadline, a poll)."""
        message = await schedule_command(
            self._codec,
            command,
            due_at=at,
            now=self.clock.now(),
            context=self.context,
            message_id=message_id,
        )
        self.extra.schedule.append(message)
        return message.id

    def append(self, stream_id: str, events: Sequence[Event], expected_version: int) -> None:
        """Append events to a stream that is not an aggregate's (e.g. a saga's reply)."""
        self._appends.append((stream_id, expected_version, events))

    # -- committing ------------------------------------------------------------------------------
    def has_changes(self) -> bool:
        """Whether committing would write anything."""
        return bool(
            self._appends
            or (self._extra is not None and not self._extra.is_empty())
            or any(aggregate.has_pending for aggregate in self._aggregates.values())
        )

    async def build_commit(self) -> Commit:
        """Encode everything pending into one commit (plus `extra`)."""
        commit = Commit()
        now = self.clock.now()
        for aggregate in self._aggregates.values():
            pending = aggregate.pending_events
            if not pending:
                continue
            expected = aggregate.version if aggregate.version else NO_STREAM
            records = [
                await self._codec.encode(
                    event, event_id=new_id(), time=now, context=self.context, subject=aggregate.id
                )
                for event in pending
            ]
            commit.appends.append(StreamAppend(aggregate.stream_id, expected, records))
            snapshot = self._snapshot_after(aggregate, len(pending))
            if snapshot is not None:
                commit.snapshots.append(snapshot)
        for stream_id, expected, events in self._appends:
            records = [
                await self._codec.encode(event, event_id=new_id(), time=now, context=self.context)
                for event in events
            ]
            commit.appends.append(StreamAppend(stream_id, expected, records))
        if self._extra is not None:
            commit.merge(self._extra)
        return commit

    def saved(self, result: CommitResult) -> None:
        """Bring tracked aggregates up to the versions the commit gave them."""
        for aggregate in self._aggregates.values():
            if aggregate.has_pending:
                aggregate.mark_saved()
                assert aggregate.version == result.stream_versions[aggregate.stream_id]
                if self._versions is not None:
                    self._versions.remember(aggregate.stream_id, aggregate.version)

    def keep_loaded(self) -> None:
        """Keep the aggregates that asked for it for the next command (call once this one has
        succeeded: committed, or found nothing to change)."""
        if self._kept is None:
            return
        for aggregate in self._aggregates.values():
            if aggregate.keep_in_memory and not aggregate.has_pending:
                self._kept.give_back(aggregate)

    def release(self) -> None:
        """Let other commands at the streams this one loaded (call once it has committed)."""
        if self._locks is not None:
            for stream_id in self._held:
                self._locks.release(stream_id)
        self._held.clear()

    def _take_kept(self, cls: type[A], stream_id: str) -> A | None:
        if self._kept is None or not cls.keep_in_memory:
            return None
        kept = self._kept.take(stream_id)
        return kept if isinstance(kept, cls) else None

    # -- snapshots -------------------------------------------------------------------------------
    async def _restore_snapshot(self, aggregate: Aggregate) -> int:
        every = self._snapshot_interval(aggregate)
        if not every:
            return 0
        known = None if self._versions is None else self._versions.get(aggregate.stream_id)
        if known is not None and known < every:
            # No snapshot exists below `every` events; if the stream grew elsewhere meanwhile we
            # only replay a little more than needed, which is still correct.
            return 0
        snapshot = await self.storage.get_snapshot(aggregate.stream_id)
        if (
            snapshot is None
            or snapshot.aggregate_type != type(aggregate).__name__
            or snapshot.schema_version != type(aggregate).snapshot_version
        ):
            return 0
        aggregate.restore_state(orjson.loads(snapshot.state))
        aggregate.version = snapshot.version
        return snapshot.version

    def _snapshot_interval(self, aggregate: Aggregate) -> int | None:
        """Events between snapshots: the aggregate class's own, if it sets one, while snapshots
        are on at all (the bus's `snapshot_every`)."""
        if not self._snapshot_every:
            return None
        return type(aggregate).snapshot_every or self._snapshot_every

    def _snapshot_after(self, aggregate: Aggregate, new_events: int) -> Snapshot | None:
        every = self._snapshot_interval(aggregate)
        if not every:
            return None
        before = aggregate.version
        after = before + new_events
        if after // every == before // every:
            return None
        state = aggregate.snapshot_state()
        if state is None:
            return None
        return Snapshot(
            stream_id=aggregate.stream_id,
            version=after,
            aggregate_type=type(aggregate).__name__,
            schema_version=type(aggregate).snapshot_version,
            state=orjson.dumps(state).decode(),
        )
