"""`coarse_timeout`: `asyncio.timeout` for many concurrent calls, on few timers.

Every call to an outside system runs under a timeout, and a busy prequalifier has hundreds of
calls out at once. `asyncio.timeout` gives each its own timer: a `TimerHandle` pushed on the
loop's heap on entry and cancelled on exit (left in the heap until the loop sweeps it). Measured
on the prequalification benchmark, that was 12 % of the CPU of a prequalification, for timers
that almost never fire.

Here the deadlines are rounded up to the next `GRANULARITY` tick and every call whose deadline
falls on the same tick shares one timer (`journey.cqrs.ticks`); entering and leaving is a set
insert and a set discard. The price is precision: a call times out at its deadline or up to
`GRANULARITY` later, never earlier. The semantics are `asyncio.timeout`'s: the task is cancelled
at the deadline, the `CancelledError` becomes a `TimeoutError` as it leaves the block, and a
cancellation that came from elsewhere is left alone.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType

from journey.cqrs.ticks import Ticks

GRANULARITY = 0.01  # seconds: how late a timeout may fire


class CoarseTimeout:
    """The context manager `coarse_timeout` returns (one per `async with`)."""

    __slots__ = ("_cancelling", "_delay", "_expired", "_task", "_waiting")

    def __init__(self, delay: float) -> None:
        self._delay = delay
        self._expired = False
        self._cancelling = 0
        self._task: asyncio.Task[object] | None = None
        self._waiting: set[CoarseTimeout] | None = None

    @property
    def expired(self) -> bool:
        """Whether the deadline passed while the block ran (as `asyncio.Timeout.expired()`)."""
        return self._expired

    async def __aenter__(self) -> CoarseTimeout:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("coarse_timeout must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        if math.isfinite(self._delay):  # an infinite delay never expires: no timer at all
            self._waiting = _TICKS.add(task.get_loop(), self._delay, self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._waiting is not None:
            self._waiting.discard(self)
            self._waiting = None
        # Ours was the cancellation if no other arrived since entry (asyncio.timeout's test).
        if (
            self._expired
            and self._task is not None
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc

    def _fire(self) -> None:
        self._expired = True
        self._waiting = None
        if self._task is not None and not self._task.done():
            self._task.cancel()


_TICKS: Ticks[CoarseTimeout] = Ticks(GRANULARITY, CoarseTimeout._fire)


def coarse_timeout(delay: float) -> CoarseTimeout:
    """`async with coarse_timeout(delay):` as `asyncio.timeout(delay)`, firing at most
    `GRANULARITY` late."""
    return CoarseTimeout(delay)
