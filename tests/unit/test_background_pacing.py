"""Background work gives way to commands in flight (journey.cqrs.pacing), and the API marks its
commands, not its reads, as foreground."""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request

from journey.cqrs.pacing import Pacer
from journey.entrypoints.api.middleware import RequestContext


async def _units(pacer: Pacer, count: int, seconds: float) -> list[tuple[float, float]]:
    """Run `count` background units of `seconds` each at once; when each began and ended."""
    spans: list[tuple[float, float]] = []

    async def unit() -> None:
        async with pacer.background():
            began = time.perf_counter()
            await asyncio.sleep(seconds)
            spans.append((began, time.perf_counter()))

    await asyncio.gather(*(unit() for _ in range(count)))
    return sorted(spans)


def _overlapping(spans: list[tuple[float, float]]) -> bool:
    return any(later[0] < earlier[1] for earlier, later in pairwise(spans))


async def test_background_units_run_together_when_no_command_is_in_flight() -> None:
    pacer = Pacer(share=0.25)
    spans = await _units(pacer, 3, 0.05)

    assert _overlapping(spans)
    assert pacer.rested_seconds == 0


async def test_while_a_command_is_in_flight_background_units_take_turns_and_rest_between() -> None:
    pacer = Pacer(share=0.5)  # rest as long as each turn took
    with pacer.foreground():
        assert pacer.busy
        spans = await _units(pacer, 3, 0.05)

    assert not pacer.busy
    assert not _overlapping(spans)
    gaps = [later[0] - earlier[1] for earlier, later in pairwise(spans)]
    assert all(gap >= 0.04 for gap in gaps)  # each turn's rest came before the next turn
    assert pacer.rested_seconds >= 0.1  # the rests are counted (journey_background_rested_...)


async def test_a_share_of_one_never_gives_way() -> None:
    pacer = Pacer(share=1.0)
    with pacer.foreground():
        spans = await _units(pacer, 3, 0.05)

    assert _overlapping(spans)


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        Pacer(share=share)


async def test_the_api_marks_commands_as_foreground_but_not_reads() -> None:
    pacer = Pacer()
    app = FastAPI()
    app.state.kernel = SimpleNamespace(pacer=pacer)

    @app.post("/command")
    async def command(request: Request) -> dict[str, bool]:
        return {"busy": pacer.busy}

    @app.get("/read")
    async def read() -> dict[str, bool]:
        return {"busy": pacer.busy}

    app.add_middleware(RequestContext)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        posted = await client.post("/command")
        read_back = await client.get("/read")

    assert posted.json() == {"busy": True}
    assert read_back.json() == {"busy": False}
    assert not pacer.busy  # the command's mark is gone once it is answered
