"""In-process single writer per stream: commands on the same aggregate queue instead of racing.

Optimistic concurrency stays the guarantee (it also covers other processes); the lock only keeps
commands in this process from all loading the same version, all deciding, and all but one
failing and retrying. A lock that cannot be had in time is skipped, not waited on forever, so two
handlers locking two streams in opposite orders cannot deadlock: one goes ahead optimistically.
"""

from __future__ import annotations

import asyncio


class StreamLocks:
    def __init__(self, *, timeout: float = 1.0) -> None:
        self._timeout = timeout
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    async def acquire(self, stream_id: str) -> bool:
        """True when the lock is held (release it later); False when it was skipped."""
        entry = self._locks.get(stream_id)
        if entry is None:
            entry = self._locks[stream_id] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        if not lock.locked():
            await lock.acquire()
            return True
        try:
            async with asyncio.timeout(self._timeout):
                await lock.acquire()
        except TimeoutError:
            self._forget(stream_id)
            return False
        return True

    def release(self, stream_id: str) -> None:
        lock, _ = self._locks[stream_id]
        lock.release()
        self._forget(stream_id)

    def _forget(self, stream_id: str) -> None:
        entry = self._locks[stream_id]
        entry[1][0] -= 1
        if entry[1][0] == 0:
            del self._locks[stream_id]

    def __len__(self) -> int:
        return len(self._locks)
