"""Background work gives way to the commands people are waiting for.

On the embedded default the API and the background work (projections, sagas, the scheduler, the
relay) share one event loop. Under a burst of applications the background work, about half the
CPU each application costs, ran between the requests and doubled the time every caller waited
for a 202 (docs/decisions/0015). So while commands are in flight (`foreground`), the background
loops take turns, one at a time, and after each turn rest for as long as keeps them to `share`
of the time; with no command in flight they run freely, all at once, as before. Nothing is
skipped: work only waits, and the lag shows in `journey_consumer_lag` meanwhile.

`Kernel.settle` (tests, the CLI, demos) is never paced: only the loops `Kernel.start` runs are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

MAX_REST_SECONDS = 0.25  # however long a turn took, the others wait at most this much after it


class Pacer:
    """Counts the commands in flight; background turns keep to `share` of the time meanwhile."""

    def __init__(self, share: float = 0.25) -> None:
        if not 0 < share <= 1:
            raise ValueError("the background's share must be in (0, 1]")
        self.share = share
        self._rest_per_busy_second = (1 - share) / share
        self._in_flight = 0
        self._turn = asyncio.Lock()
        self.rested_seconds = 0.0  # how long background work has waited for commands, in all

    @property
    def in_flight(self) -> int:
        """Commands in flight now."""
        return self._in_flight

    @property
    def busy(self) -> bool:
        """Whether a command is in flight now."""
        return self._in_flight > 0

    @contextmanager
    def foreground(self) -> Iterator[None]:
        """Mark a command someone is waiting for (an API request) while it runs."""
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1

    @asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        """One unit of background work (a batch, a round of due timers): at once when nothing
        is in the foreground, else in turn, followed by its rest."""
        if not self.busy or self.share >= 1:
            yield
            return
        async with self._turn:
            began = time.perf_counter()
            yield
            if self.busy:
                spent = time.perf_counter() - began
                rest = min(spent * self._rest_per_busy_second, MAX_REST_SECONDS)
                self.rested_seconds += rest
                await asyncio.sleep(rest)


UNPACED = Pacer(share=1.0)  # never gives way: the default where no kernel shares a pacer
