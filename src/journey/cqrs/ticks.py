"""`Ticks`: many timers of an event loop on few, by rounding their deadlines up to a tick.

A busy service has hundreds of short waits and timeouts out at once. Each `call_later` is a
`TimerHandle` pushed on and popped off the loop's heap; when the waits that fall due on the same
tick share one timer, an extra wait costs a set insert. The price is precision: an item fires at
its deadline or up to one `granularity` later, never earlier.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Ticks(Generic[T]):
    """Items waiting for their tick, per event loop; `fire(item)` is called for each when due."""

    def __init__(self, granularity: float, fire: Callable[[T], None]) -> None:
        if granularity <= 0:
            raise ValueError("a tick must last more than 0 s")
        self.granularity = granularity
        self._fire = fire
        # One table per loop: tests and benchmarks run several loops, one after another.
        self._tables: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, set[T]]]
        self._tables = weakref.WeakKeyDictionary()

    def add(self, loop: asyncio.AbstractEventLoop, delay: float, item: T) -> set[T]:
        """Fire `item` once `delay` seconds have passed on `loop` (up to a tick later). Returns
        the set it waits in: discarding it from there means it will not fire."""
        tick = math.ceil((loop.time() + delay) / self.granularity)
        table = self._tables.get(loop)
        if table is None:
            table = self._tables[loop] = {}
        waiting = table.get(tick)
        if waiting is None:
            waiting = table[tick] = set()
            loop.call_at(tick * self.granularity, self._due, table, tick)
        waiting.add(item)
        return waiting

    def _due(self, table: dict[int, set[T]], tick: int) -> None:
        fire = self._fire
        for item in table.pop(tick, ()):
            fire(item)
