"""Liveness, readiness (the store and the broker answer) and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

import journey
from journey.cqrs.broker.port import Broker
from journey.cqrs.runtime import Kernel
from journey.entrypoints.api.errors import problem
from journey.entrypoints.api.telemetry import ApiMetrics

READY_TIMEOUT_SECONDS = 2.0

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok", "version": journey.__version__}


@router.get("/ready", response_model=None)
async def ready(request: Request) -> dict[str, Any] | JSONResponse:
    """Readiness: the event store and the broker answer (503 problem naming which does not)."""
    running: Kernel = request.app.state.kernel
    checks: dict[str, str] = {}
    position = None
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            position = await running.storage.last_position()
        checks["store"] = "ok"
    except Exception as error:
        checks["store"] = f"unavailable ({type(error).__name__})"
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await _probe(running.broker)
        checks["broker"] = "ok"
    except Exception as error:
        checks["broker"] = f"unavailable ({type(error).__name__})"
    if any(state != "ok" for state in checks.values()):
        failing = ", ".join(name for name, state in checks.items() if state != "ok")
        return problem(503, "Not ready", f"not answering: {failing}", checks=checks)
    relay_lag = await running.relay.lag()
    return {"status": "ready", "log_position": position, "relay_lag": relay_lag, **checks}


@router.get("/metrics", response_class=Response)
async def prometheus(request: Request) -> Response:
    """Prometheus metrics (names prefixed `journey_`)."""
    metrics: ApiMetrics = request.app.state.metrics
    body = await metrics.render(request.app.state.kernel)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


async def _probe(broker: Broker) -> None:
    """Ask the broker something: its own health check when it has one, else an empty publish
    (which still goes through the adapter and its connection)."""
    ping = getattr(broker, "ping", None)
    if ping is not None:
        await ping()
        return
    await broker.publish([])
