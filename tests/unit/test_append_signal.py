"""The signal that wakes log readers: it wakes on appends and does not leak its waiters."""

from __future__ import annotations

import asyncio

from journey.cqrs.store.signal import AppendSignal


async def test_waiting_on_a_quiet_log_leaves_no_waiter_behind() -> None:
    signal = AppendSignal()
    for _ in range(20):
        assert await signal.wait(0, timeout=0.001) is False
    assert signal._waiters == []


async def test_a_waiter_wakes_when_the_log_passes_its_mark() -> None:
    signal = AppendSignal()
    waiter = asyncio.ensure_future(signal.wait(2, timeout=5))
    await asyncio.sleep(0)
    signal.notify(2)
    await asyncio.sleep(0)
    assert not waiter.done()
    signal.notify(3)
    assert await waiter is True
    assert await signal.wait(2, timeout=0) is True
