"""Wakes readers waiting for the log to grow, so subscriptions need not poll in-process."""

from __future__ import annotations

import asyncio


class AppendSignal:
    """Tracks the highest committed position and wakes whoever waits for it to pass a mark."""

    def __init__(self) -> None:
        self._position = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    @property
    def position(self) -> int:
        return self._position

    def notify(self, position: int) -> None:
        """Record that the log reached `position` (call on the event loop's thread)."""
        if position <= self._position:
            return
        self._position = position
        still_waiting = []
        for mark, waiter in self._waiters:
            if waiter.done():
                continue
            if position > mark:
                waiter.set_result(None)
            else:
                still_waiting.append((mark, waiter))
        self._waiters = still_waiting

    async def wait(self, after_position: int, timeout: float) -> bool:
        if self._position > after_position:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (after_position, waiter)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        finally:
            # An idle log would otherwise collect one dead waiter per poll, forever.
            if entry in self._waiters:
                self._waiters.remove(entry)
        return True
