"""The query side's answer cache: TTL, LRU, and answers shared as the frozen values they are."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from journey.query_side.cache import MemoryCache, cached


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int
    names: tuple[str, ...] = ()


class OtherAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int


class MutableAnswer(BaseModel):
    value: int


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_cached_entries_expire_and_the_oldest_go_first_when_full() -> None:
    time = FakeTime()
    cache = MemoryCache(max_entries=2, clock=time)
    await cache.set("a", Answer(value=1), ttl=10)
    await cache.set("b", Answer(value=2), ttl=10)
    assert await cache.get("a", Answer) == Answer(value=1)  # a is now the most recently used
    await cache.set("c", Answer(value=3), ttl=10)
    assert await cache.get("b", Answer) is None
    assert await cache.get("a", Answer) == Answer(value=1)
    time.now = 11
    assert await cache.get("a", Answer) is None
    assert (cache.hits, cache.misses) == (2, 2)


async def test_an_answer_with_no_time_to_live_is_not_kept() -> None:
    cache = MemoryCache()
    await cache.set("a", Answer(value=1), ttl=0)
    assert await cache.get("a", Answer) is None


async def test_a_deleted_answer_is_asked_for_again() -> None:
    cache = MemoryCache()
    loads: list[int] = []

    async def load() -> Answer:
        loads.append(1)
        return Answer(value=len(loads))

    assert await cached(cache, "k", 60, Answer, load) == (Answer(value=1), False)
    assert await cached(cache, "k", 60, Answer, load) == (Answer(value=1), True)
    await cache.delete("k")
    assert await cached(cache, "k", 60, Answer, load) == (Answer(value=2), False)


async def test_every_hit_shares_the_answer_kept_without_copying_it() -> None:
    cache = MemoryCache()
    kept = Answer(value=1, names=("ANA",))
    await cache.set("k", kept, ttl=60)
    assert await cache.get("k", Answer) is kept
    with pytest.raises(Exception, match="frozen"):
        kept.value = 2  # type: ignore[misc]


async def test_an_answer_that_could_be_changed_is_refused_rather_than_shared() -> None:
    cache = MemoryCache()
    with pytest.raises(TypeError, match="only frozen answers"):
        await cache.set("k", MutableAnswer(value=1), ttl=60)
    assert await cache.get("k", MutableAnswer) is None


async def test_a_key_read_as_another_kind_of_answer_is_an_error_not_a_wrong_answer() -> None:
    cache = MemoryCache()
    await cache.set("k", Answer(value=1), ttl=60)
    with pytest.raises(TypeError, match="holds Answer, not OtherAnswer"):
        await cache.get("k", OtherAnswer)
