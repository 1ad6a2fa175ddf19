"""The cache port and its in-process adapter (TTL + LRU). Redis joins in the distributed issue.

Values are bytes (JSON), as they would be in Redis, so an adapter swap changes no caller. The
query side caches what providers answered, per service, with per-service TTLs.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float) -> None: ...

    async def delete(self, key: str) -> None: ...


class MemoryCache:
    """A bounded in-process cache: entries expire after their TTL; the least recently used go
    first when `max_entries` is reached."""

    def __init__(
        self, *, max_entries: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock
        self.hits = 0
        self.misses = 0

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            if entry is not None:
                del self._entries[key]
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if ttl <= 0:
            return
        self._entries[key] = (self._clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)


async def cached(
    cache: Cache,
    key: str,
    ttl: float,
    model: type[M],
    load: Callable[[], Awaitable[M]],
) -> tuple[M, bool]:
    """The cached answer for `key`, or `load()`'s (then cached). Returns (answer, from_cache)."""
    raw = await cache.get(key)
    if raw is not None:
        return model.model_validate_json(raw), True
    answer = await load()
    # The serializer's bytes as they are (`model_dump_json` makes a str of them to encode back).
    await cache.set(key, type(answer).__pydantic_serializer__.to_json(answer), ttl)
    return answer, False
