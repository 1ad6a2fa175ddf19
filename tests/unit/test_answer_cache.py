"""The query side's answer cache: TTL, LRU, and each hit a copy of the answer as it was kept."""

from __future__ import annotations

import gc

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


async def test_every_hit_is_a_copy_of_the_answer_as_it_was_when_kept() -> None:
    cache = MemoryCache()
    kept = MutableAnswer(value=1)
    await cache.set("k", kept, ttl=60)
    kept.value = 2  # what the cache holds is not the caller's object
    first = await cache.get("k", MutableAnswer)
    assert first == MutableAnswer(value=1)
    assert first is not None
    first.value = 3  # nor is what a hit gave out
    assert await cache.get("k", MutableAnswer) == MutableAnswer(value=1)


async def test_a_kept_answer_comes_back_with_its_collections_as_they_were() -> None:
    cache = MemoryCache()
    await cache.set("k", Answer(value=1, names=("ANA", "MARÍA")), ttl=60)
    assert await cache.get("k", Answer) == Answer(value=1, names=("ANA", "MARÍA"))


async def test_a_key_read_as_another_kind_of_answer_is_an_error_not_a_wrong_answer() -> None:
    cache = MemoryCache()
    await cache.set("k", Answer(value=1), ttl=60)
    with pytest.raises(TypeError, match="holds Answer, not OtherAnswer"):
        await cache.get("k", OtherAnswer)


class Account(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    tags: tuple[str, ...]


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    accounts: tuple[Account, ...]


async def test_kept_answers_give_the_garbage_collector_one_object_each_to_walk_not_their_own() -> (
    None
):
    cache = MemoryCache()
    gc.collect()
    before = len(gc.get_objects())
    answers = [
        Report(accounts=tuple(Account(number=f"{n}-{a}", tags=("x", "y")) for a in range(5)))
        for n in range(200)
    ]
    for number, answer in enumerate(answers):
        await cache.set(f"k{number}", answer, ttl=60)
    del answers, answer
    gc.collect()
    # kept as objects, each Report would be fifteen (models, their field sets, tuples)
    assert len(gc.get_objects()) - before <= 200 + 20
