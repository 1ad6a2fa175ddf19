"""The HTTP benchmark's load generator: wrk running our replay script (journey.benchmarks.wrk)."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from journey.benchmarks.wrk import Request as Prepared
from journey.benchmarks.wrk import replay
from tests.support.servers import serving

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (make bench-tools)"
)


def recording_app(seen: Counter[str], bodies: list[bytes]) -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/items/{number}")
    async def create(number: int, request: Request) -> JSONResponse:
        seen[f"/items/{number}"] += 1
        bodies.append(await request.body())
        status = 409 if number % 25 == 0 else 202  # every 25th answers what was not expected
        return JSONResponse({"number": number}, status_code=status)

    return app


async def test_every_prepared_request_is_sent_exactly_once_and_wrong_statuses_count_as_errors() -> (
    None
):
    seen: Counter[str] = Counter()
    bodies: list[bytes] = []
    prepared = [
        Prepared(
            "POST",
            f"/items/{number}",
            {"Content-Type": "application/json"},
            f'{{"n": {number}}}'.encode(),
        )
        for number in range(1, 201)
    ]
    async with serving(recording_app(seen, bodies)) as base_url:
        measured = await asyncio.to_thread(replay, base_url, prepared, 10, 202)

    assert seen == Counter({f"/items/{number}": 1 for number in range(1, 201)})
    assert sorted(bodies) == sorted(request.body for request in prepared if request.body)
    assert measured.errors == 8  # 25, 50, ..., 200 answered 409
    assert measured.ok == 192
    assert len(measured.latencies_ms) == 200
    assert all(latency >= 0 for latency in measured.latencies_ms)
    assert measured.seconds > 0


async def test_a_paced_load_keeps_to_its_schedule_instead_of_sending_as_fast_as_it_can() -> None:
    seen: Counter[str] = Counter()
    prepared = [Prepared("POST", f"/items/{n}", {}, b"{}") for n in range(1, 61)]
    async with serving(recording_app(seen, [])) as base_url:
        # 60 requests at 200/s from 4 connections: each connection sends every 20 ms, so the
        # last requests are due about 0.3 s after the first, however fast the server answers.
        measured = await asyncio.to_thread(replay, base_url, prepared, 4, 202, rate=200)

    assert sum(seen.values()) == 60
    assert measured.seconds >= (60 / 4 - 1) * 0.020


def test_fewer_requests_than_clients_is_refused() -> None:
    with pytest.raises(ValueError, match="at least as many requests as clients"):
        replay("http://127.0.0.1:9", [Prepared("GET", "/", {})], 5, 200)
