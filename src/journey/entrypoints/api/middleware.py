"""Every HTTP request: a correlation id, one structured log line, its metrics, and a problem
instead of a traceback if something unexpected breaks.

The correlation id comes from `X-Correlation-Id` when the caller sends a sane one, else it is
new; it is bound to the logs of everything the request does, given to the commands it sends
(so events and saga steps carry it) and echoed in the response. The log line names the route
template, never the raw path or the query (they may hold ids or tokens), and the caller's roles,
never who they are.
"""

from __future__ import annotations

import re
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson
import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journey.cqrs.ids import new_id
from journey.cqrs.pacing import Pacer
from journey.entrypoints.api.errors import PROBLEM_BASE, PROBLEM_JSON, log_unexpected
from journey.entrypoints.api.telemetry import ApiMetrics

CORRELATION_HEADER = "x-correlation-id"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
_log = structlog.get_logger("journey.http")


class RequestContext:
    """Pure ASGI middleware (streams pass through untouched)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(CORRELATION_HEADER)
        correlation_id = offered if offered and _SANE_ID.fullmatch(offered) else new_id()
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                MutableHeaders(scope=message)[CORRELATION_HEADER] = correlation_id
            await send(message)

        began = time.perf_counter()
        with (
            structlog.contextvars.bound_contextvars(correlation_id=correlation_id),
            _foreground(scope),
        ):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:  # the last resort: a problem, never a traceback
                await log_unexpected(error)
                if not started:
                    await _internal_error(send_with_id)
            finally:
                await self._record(scope, status, time.perf_counter() - began)

    async def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = _route_of(scope)
        method = str(scope.get("method", ""))
        if self.metrics is not None:
            self.metrics.observe_request(method, route, status, seconds)
        if route in ("/metrics", "/health", "/ready"):
            return  # probes and scrapes every few seconds would drown the log
        principal = scope.get("state", {}).get("principal")
        _log.info(
            "request",
            method=method,
            route=route,
            status=status,
            ms=round(seconds * 1000, 3),
            roles=sorted(principal.roles) if principal is not None else None,
        )


def _foreground(scope: Scope) -> AbstractContextManager[None]:
    """A command (anything but a read) is foreground work: the kernel's background loops give
    way while it runs (`journey.cqrs.pacing`). Reads, and event streams above all, are not:
    a console left open must not slow the journeys down."""
    if scope.get("method") in _READS:
        return nullcontext()
    kernel = getattr(getattr(scope.get("app"), "state", None), "kernel", None)
    pacer: Pacer | None = getattr(kernel, "pacer", None)
    return pacer.foreground() if pacer is not None else nullcontext()


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


async def _internal_error(send: Any) -> None:
    body = orjson.dumps(
        {
            "type": f"{PROBLEM_BASE}internal",
            "title": "Internal error",
            "status": 500,
            "detail": "something went wrong on our side; it was logged",
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
