"""Waiting in tests for something that happens in the background (with a deadline)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0, every: float = 0.01
) -> None:
    """Poll `check` (plain or async) until it is true; fail the test after `timeout` seconds."""

    async def poll() -> None:
        while True:
            outcome = check()
            if inspect.isawaitable(outcome):
                outcome = await outcome
            if outcome:
                return
            await asyncio.sleep(every)

    await asyncio.wait_for(poll(), timeout)
