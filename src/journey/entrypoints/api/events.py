"""`GET /applications/{id}/events`: the journey's timeline as server-sent events.

Each event is one timeline entry (`data:` JSON with `at`, `what`, `type`, `position`, and the
journey's `status`, `stuck` and `done` after it) with `id:` = its log position; a client that
reconnects with `Last-Event-ID` gets only what came after. The stream wakes when the log grows,
sends a `: keep-alive` comment after 10 s of quiet, and ends when the client goes away or the
server shuts down (`app.state.draining`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from journey.cqrs.runtime import Kernel
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import KernelDep, checked_id, owner_of_stream
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, not_found
from journey.entrypoints.api.timeline import JourneyTimeline

KEEP_ALIVE_SECONDS = 10.0  # a comment line well within proxies' idle timeouts (15 s asked)
WAKE_SECONDS = 1.0  # how often a quiet stream looks for a gone client or a shutdown
RETRY_MS = 2000

router = APIRouter(tags=["applications"], responses=PROBLEM_RESPONSES)


@router.get(
    "/applications/{application_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def journey_events(
    application_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(allow("customer", "operator", "analyst", "service"))],
    kernel: KernelDep,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=20, pattern=r"^\d*$")
    ] = None,
) -> StreamingResponse:
    """The journey's timeline entries as they happen (SSE; `id:` = log position; resumable
    with `Last-Event-ID`)."""
    checked_id(application_id, "application")
    owner = await owner_of_stream(kernel, f"application-{application_id}")
    if owner is None or not (principal.is_staff or owner == principal.subject):
        raise not_found("application")
    timeline = JourneyTimeline(kernel, application_id)
    if not await timeline.open():
        raise not_found("application")
    after = int(last_event_id) if last_event_id else 0
    return StreamingResponse(
        _stream(request, kernel, timeline, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request, kernel: Kernel, timeline: JourneyTimeline, after: int
) -> AsyncIterator[bytes]:
    draining: asyncio.Event = request.app.state.draining
    yield f"retry: {RETRY_MS}\n\n".encode()
    quiet_since = time.monotonic()
    while not draining.is_set():
        sent = False
        for item in await timeline.next_entries():
            if item.position > after:
                yield b"id: %d\ndata: %s\n\n" % (item.position, item.as_json())
                sent = True
        if sent:
            quiet_since = time.monotonic()
            continue
        if await request.is_disconnected():
            return
        if time.monotonic() - quiet_since >= KEEP_ALIVE_SECONDS:
            yield b": keep-alive\n\n"
            quiet_since = time.monotonic()
        assert timeline.cursor is not None
        await _wait(kernel, timeline.cursor, draining)


async def _wait(kernel: Kernel, cursor: int, draining: asyncio.Event) -> None:
    """Until the log grows past `cursor`, the server drains, or a second passes."""
    grown = asyncio.ensure_future(kernel.storage.wait_for_append(cursor, WAKE_SECONDS))
    stop = asyncio.ensure_future(draining.wait())
    try:
        await asyncio.wait({grown, stop}, timeout=WAKE_SECONDS, return_when="FIRST_COMPLETED")
    finally:
        grown.cancel()
        stop.cancel()
