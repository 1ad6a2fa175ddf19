"""The cache port and its in-process adapter (TTL + LRU). Redis joins in the distributed issue.

The query side caches what providers answered, per service, with per-service TTLs. The port
holds answers as the frozen models they are: the in-process adapter keeps the object itself (an
answer is a value, never changed once built, so every hit may share it), and an adapter that
keeps bytes elsewhere (Redis) serializes on `set` and validates on `get`, inside itself, so a
swap changes no caller. Serializing for the in-process cache cost ~5 % of a prequalification's
CPU (decision 0022).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class Cache(Protocol):
    async def get(self, key: str, model: type[M]) -> M | None:
        """The answer kept under `key` if it is a `model` and has not expired, else None."""
        ...

    async def set(self, key: str, answer: BaseModel, ttl: float) -> None:
        """Keep `answer` under `key` for `ttl` seconds (not at all when `ttl` <= 0)."""
        ...

    async def delete(self, key: str) -> None: ...


class MemoryCache:
    """A bounded in-process cache: entries expire after their TTL; the least recently used go
    first when `max_entries` is reached."""

    def __init__(
        self, *, max_entries: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, BaseModel]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock
        self.hits = 0
        self.misses = 0

    async def get(self, key: str, model: type[M]) -> M | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            if entry is not None:
                del self._entries[key]
            self.misses += 1
            return None
        answer = entry[1]
        if not isinstance(answer, model):  # one key, two meanings: a bug, never a wrong answer
            held, asked = type(answer).__name__, model.__name__
            raise TypeError(f"cache key {key!r} holds {held}, not {asked}")
        self._entries.move_to_end(key)
        self.hits += 1
        return answer

    async def set(self, key: str, answer: BaseModel, ttl: float) -> None:
        if ttl <= 0:
            return
        if not answer.model_config.get("frozen"):
            raise TypeError(f"only frozen answers are shared from the cache: {type(answer)}")
        self._entries[key] = (self._clock() + ttl, answer)
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
    answer = await cache.get(key, model)
    if answer is not None:
        return answer, True
    answer = await load()
    await cache.set(key, answer, ttl)
    return answer, False
