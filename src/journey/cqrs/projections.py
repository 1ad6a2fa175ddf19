"""Projections: read models built from events, exactly once, resumable and rebuildable.

A projection owns some document collections and keeps them in step with the log. Its changes and
its checkpoint are committed together per batch, so a crash mid-batch is harmless: the batch runs
again from the last checkpoint. `rebuild` clears its collections and replays from the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from journey.cqrs.clock import Clock
from journey.cqrs.consumers import ConsumerTransaction, EventHandlerBase
from journey.cqrs.dead_letters import discard
from journey.cqrs.messages import Event
from journey.cqrs.pacing import UNPACED, Pacer
from journey.cqrs.serialization import Envelope, EventCodec
from journey.cqrs.store.model import CheckpointUpdate, ClearCollection, Commit, DeadLetterStatus
from journey.cqrs.store.port import Storage
from journey.cqrs.subscription import CatchUpSubscription


class Projection(EventHandlerBase):
    """Base of projections: set `name`, `collections` (owned) and `event_types`."""

    collections: ClassVar[tuple[str, ...]] = ()

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class ProjectionStatus:
    name: str
    checkpoint: int
    head: int
    parked: int

    @property
    def lag(self) -> int:
        """How many log positions the read model is behind."""
        return max(self.head - self.checkpoint, 0)


class UnknownProjection(LookupError):
    pass


class Projections:
    """The projections of one process, each with its catch-up subscription."""

    def __init__(
        self,
        storage: Storage,
        codec: EventCodec,
        clock: Clock,
        projections: Sequence[Projection],
        *,
        batch_size: int = 256,
        poll_interval: float = 1.0,
        linger: float = 0.0,
        pacer: Pacer = UNPACED,
    ) -> None:
        self._storage = storage
        names = [projection.name for projection in projections]
        if len(set(names)) != len(names):
            raise ValueError(f"projection names must be unique: {names}")
        self.subscriptions = {
            projection.name: CatchUpSubscription(
                projection,
                storage,
                codec,
                clock,
                batch_size=batch_size,
                poll_interval=poll_interval,
                linger=linger,
                pacer=pacer,
            )
            for projection in projections
        }
        self._projections = {projection.name: projection for projection in projections}

    def names(self) -> list[str]:
        return sorted(self._projections)

    def get(self, name: str) -> Projection:
        try:
            return self._projections[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise UnknownProjection(f"no projection named {name!r} (known: {known})") from None

    async def status(self) -> list[ProjectionStatus]:
        head = await self._storage.last_position()
        statuses = []
        for name in self.names():
            parked = await self._storage.list_dead_letters(
                consumer=name,
                statuses=[DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED],
                limit=100_000,
            )
            checkpoint = await self._storage.get_checkpoint(name)
            statuses.append(ProjectionStatus(name, checkpoint, head, len(parked)))
        return statuses

    async def catch_up(self, name: str | None = None) -> int:
        """Bring one projection (or all) up to the head of the log now."""
        names = [name] if name is not None else self.names()
        total = 0
        for each in names:
            self.get(each)
            total += await self.subscriptions[each].run_until_caught_up()
        return total

    async def rebuild(self, name: str) -> int:
        """Clear the projection's collections, start it from zero and catch up.

        Its open dead letters are discarded: the replay meets those events again. Another runner
        working on the same projection meanwhile loses its checkpoint race and starts over, so
        nothing is counted twice.
        """
        projection = self.get(name)
        open_letters = await self._storage.list_dead_letters(
            consumer=name,
            statuses=[DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED],
            limit=100_000,
        )
        await discard(
            self._storage,
            [letter.id for letter in open_letters if letter.status is DeadLetterStatus.PARKED],
        )
        commit = Commit(documents=[ClearCollection(c) for c in projection.collections])
        current = await self._storage.get_checkpoint(name)
        commit.checkpoints.append(CheckpointUpdate(name, current, 0))
        await self._storage.commit(commit)
        return await self.subscriptions[name].run_until_caught_up()


# -- read models every deployment has ----------------------------------------------------------


class StreamCatalog(Projection):
    """Every stream with its category, version and last event: what exists, at a glance."""

    name = "stream_catalog"
    collections = ("streams",)

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        record = envelope.record
        tx.put(
            "streams",
            record.stream_id,
            {
                "stream_id": record.stream_id,
                "category": record.stream_id.split("-", 1)[0],
                "version": record.stream_version,
                "last_event_type": record.event_type,
                "last_position": record.position,
                "updated_at": _iso(record.time),
            },
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat()
