"""The cache port and its in-process adapter (TTL + LRU). Redis joins in the distributed issue.

The query side caches what providers answered, per service, with per-service TTLs. The port
takes and gives answers as the models they are; each adapter keeps them its own way, so a swap
changes no caller. The in-process adapter keeps each answer's JSON, as Redis would: a string is
invisible to the garbage collector, where a kept answer's own objects (about thirty per
applicant across the four cached services) were walked by every collection, which made the
collections longer than the JSON costs to write and read (decision 0022).
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
    first when `max_entries` is reached. Every hit is a fresh copy of the answer kept."""

    def __init__(
        self, *, max_entries: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # key -> (expires at, the answer's model, its JSON)
        self._entries: OrderedDict[str, tuple[float, type[BaseModel], str]] = OrderedDict()
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
        _, held, text = entry
        if held is not model:  # one key, two meanings: a bug, never a wrong answer
            raise TypeError(f"cache key {key!r} holds {held.__name__}, not {model.__name__}")
        self._entries.move_to_end(key)
        self.hits += 1
        return model.model_validate_json(text)

    async def set(self, key: str, answer: BaseModel, ttl: float) -> None:
        if ttl <= 0:
            return
        self._entries[key] = (self._clock() + ttl, type(answer), answer.model_dump_json())
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
