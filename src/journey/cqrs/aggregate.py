"""Aggregates: decide, then apply.

A command method checks the rules against current state and `record`s events; `apply` is the only
place state changes, and it runs both for new events and when replaying stored ones, so the live
path and the replay path are the same code. Aggregates do no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from journey.cqrs.messages import Event


class Aggregate:
    """Base of event-sourced aggregates. Subclasses set `category` and implement `apply`.

    Snapshots are optional: override `snapshot_state` and `restore_state` (and bump
    `snapshot_version` whenever their shape changes) and the repository takes them transparently.
    """

    category: ClassVar[str]
    snapshot_version: ClassVar[int] = 1
    # Kept in memory between commands (`AggregateCache`): for long, busy streams whose state
    # holds no personal data.
    keep_in_memory: ClassVar[bool] = False
    # Events between this aggregate's snapshots, when snapshots are on (None: the bus's setting).
    snapshot_every: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "category" not in cls.__dict__:
            cls.category = cls.__name__.lower()
        if "-" in cls.category:
            raise TypeError(f"{cls.__name__}.category must not contain '-'")

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0  # the stream version this state was loaded at
        self._pending: list[Event] = []

    @classmethod
    def stream_id_for(cls, aggregate_id: str) -> str:
        return f"{cls.category}-{aggregate_id}"

    @property
    def stream_id(self) -> str:
        return self.stream_id_for(self.id)

    def record(self, event: Event) -> None:
        """Apply a new event and keep it for saving. Call only after every rule has passed."""
        self.apply(event)
        self._pending.append(event)

    def apply(self, event: Event) -> None:
        """Change state for one event. Must not fail for events this aggregate recorded."""
        raise NotImplementedError(f"{type(self).__name__} does not implement apply")

    def replay(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)
            self.version += 1

    @property
    def pending_events(self) -> list[Event]:
        return list(self._pending)

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def mark_saved(self) -> None:
        self.version += len(self._pending)
        self._pending.clear()

    # -- optional snapshots ------------------------------------------------------------------------
    def snapshot_state(self) -> dict[str, Any] | None:
        """JSON-ready state for a snapshot, or None when this aggregate does not snapshot."""
        return None

    def restore_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not restore snapshots")
