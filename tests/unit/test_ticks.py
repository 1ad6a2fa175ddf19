"""`Ticks` fires what waits on a loop's few shared timers: never early, at most a tick late."""

from __future__ import annotations

import asyncio

import pytest

from journey.cqrs.ticks import Ticks
from journey.query_side.resilience import ProviderError
from journey.query_side.simulation import SimulationKnobs


async def test_items_fire_once_each_after_their_delay_and_a_discarded_one_never() -> None:
    loop = asyncio.get_running_loop()
    fired: list[tuple[str, float]] = []
    ticks: Ticks[str] = Ticks(0.01, lambda item: fired.append((item, loop.time())))
    started = loop.time()
    ticks.add(loop, 0.05, "later")
    ticks.add(loop, 0.02, "sooner")
    ticks.add(loop, 0.02, "same tick")
    ticks.add(loop, 0.03, "dropped").discard("dropped")
    await asyncio.sleep(0.2)
    assert [item for item, _ in fired][:1] in (["sooner"], ["same tick"])
    assert sorted(item for item, _ in fired) == ["later", "same tick", "sooner"]
    delays = {item: at - started for item, at in fired}
    assert delays["sooner"] >= 0.02
    assert delays["same tick"] >= 0.02
    assert delays["later"] >= 0.05


def test_a_tick_must_last_some_time() -> None:
    with pytest.raises(ValueError, match="more than 0"):
        Ticks(0, print)


async def test_a_simulated_provider_answers_after_its_latency_and_a_cancelled_wait_is_left() -> (
    None
):
    loop = asyncio.get_running_loop()
    knobs = SimulationKnobs(latency=0.03)
    started = loop.time()
    await knobs.before_call("svc")
    assert loop.time() - started >= 0.03
    waiting = asyncio.create_task(knobs.before_call("svc"))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.sleep(0.05)  # its tick comes and goes without touching the cancelled wait
    knobs.down = True
    with pytest.raises(ProviderError, match="down"):
        await knobs.before_call("svc")
