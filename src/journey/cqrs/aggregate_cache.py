"""Aggregates kept in memory between commands, so a long stream is not rebuilt for each one.

A stream that every command of its kind goes through (the plastics stock of a card design: every
card reserves and consumes from it) grows without end, and rebuilding it for each command (its
latest snapshot decoded, then up to `snapshot_every` events replayed) costs more with every card
issued. An aggregate class that sets `keep_in_memory` is instead kept after a command that used it
succeeded, and the next command starts from it.

Kept state is never trusted to be current: the unit of work still reads the events stored after
the kept version (usually none) and applies them, so what another process appended is seen, and
the version check at commit decides as it always does. A kept aggregate is lent to one unit of
work at a time: `take` removes it, and only a command that succeeded gives it back, so a failed
command's half-made changes never outlive it.

Only aggregates without personal data may opt in: erasing a data subject makes the stored events
unreadable (decision 0005), but it would not reach a copy held here.
"""

from __future__ import annotations

from collections import OrderedDict

from journey.cqrs.aggregate import Aggregate


class AggregateCache:
    """The most recently used `capacity` kept aggregates, by stream id."""

    def __init__(self, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError("an aggregate cache holds at least one aggregate")
        self._capacity = capacity
        self._kept: OrderedDict[str, Aggregate] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def take(self, stream_id: str) -> Aggregate | None:
        """The kept aggregate of `stream_id`, now lent to the caller (None when none is kept)."""
        return self._kept.pop(stream_id, None)

    def give_back(self, aggregate: Aggregate) -> None:
        """Keep `aggregate` as it is now (saved: no pending events), dropping the least recently
        used one past `capacity`. A newer version already kept (a command that ran meanwhile)
        stays."""
        if aggregate.has_pending:
            raise ValueError(f"{aggregate.stream_id} has unsaved events; it cannot be kept")
        stream_id = aggregate.stream_id
        kept = self._kept.get(stream_id)
        if kept is not None and kept.version > aggregate.version:
            return
        self._kept[stream_id] = aggregate
        self._kept.move_to_end(stream_id)
        while len(self._kept) > self._capacity:
            self._kept.popitem(last=False)
