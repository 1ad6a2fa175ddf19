"""`coarse_timeout` keeps `asyncio.timeout`'s promises, at most one tick late."""

from __future__ import annotations

import asyncio

import pytest

from journey.query_side.resilience import coarse_timeout
from journey.query_side.resilience.coarse_timeout import GRANULARITY


async def test_a_block_past_its_deadline_is_cancelled_and_raises_timeout_error_not_early() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    timeout = coarse_timeout(0.05)

    async def slow() -> None:
        async with timeout:
            await asyncio.sleep(5)

    with pytest.raises(TimeoutError):
        await slow()
    waited = loop.time() - started
    assert timeout.expired
    assert 0.05 <= waited < 0.05 + GRANULARITY + 0.5  # never early; late by a tick (and a busy box)


async def test_a_block_that_finishes_in_time_is_not_cancelled_when_its_tick_comes() -> None:
    async with coarse_timeout(0.02) as timeout:
        await asyncio.sleep(0)
    await asyncio.sleep(0.02 + 3 * GRANULARITY)  # the shared timer fires meanwhile
    assert not timeout.expired
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    entered = asyncio.Event()

    async def guarded() -> None:
        async with coarse_timeout(10):
            entered.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(guarded())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_calls_sharing_a_tick_time_out_together_and_the_others_go_on() -> None:
    async def call(delay: float, work: float) -> str:
        try:
            async with coarse_timeout(delay):
                await asyncio.sleep(work)
        except TimeoutError:
            return "timed out"
        return "answered"

    outcomes = await asyncio.gather(
        *(call(0.03, 1) for _ in range(50)), *(call(1, 0.01) for _ in range(50))
    )
    assert outcomes == ["timed out"] * 50 + ["answered"] * 50


async def test_nested_timeouts_each_answer_for_their_own_deadline() -> None:
    outer, inner = coarse_timeout(10), coarse_timeout(0.02)

    async def nested() -> None:
        async with outer, inner:
            await asyncio.sleep(5)

    with pytest.raises(TimeoutError):
        await nested()
    assert inner.expired
    assert not outer.expired


async def test_an_infinite_delay_never_expires() -> None:
    async with coarse_timeout(float("inf")) as timeout:
        await asyncio.sleep(2 * GRANULARITY)
    assert not timeout.expired
