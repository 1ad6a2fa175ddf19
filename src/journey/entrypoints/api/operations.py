"""Operating the platform: dead letters (list, redrive, discard) and the projections' state."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from journey.command_side.issuance.application import Application
from journey.cqrs.dead_letters import DeadLetterNotFound, discard, request_redrive
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.model import DeadLetter, DeadLetterStatus
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import CommandAccepted, KernelDep, kernel_of
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, not_found
from journey.onboarding.read_models import SAGA_PREFIX

router = APIRouter(tags=["operations"], responses=PROBLEM_RESPONSES)
Operator = Annotated[Principal, Depends(allow("operator"))]
OPEN = (DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED)


# Streams whose id ends with the application's id: its own, and its journey's saga.
_APPLICATION_STREAMS = (Application.stream_id_for(""), SAGA_PREFIX)


async def _letter(kernel: Kernel, letter: DeadLetter) -> dict[str, Any]:
    # The payload stays out: a parked command may carry personal data (encrypted or not).
    stream = await _stream_of(kernel, letter)
    application = next(
        (stream.removeprefix(p) for p in _APPLICATION_STREAMS if stream and stream.startswith(p)),
        None,
    )
    return {
        "id": letter.id,
        "consumer": letter.consumer,
        "kind": letter.kind,
        "message_id": letter.message_id,
        "message_type": letter.message_type,
        "error": letter.error,
        "attempts": letter.attempts,
        "status": letter.status.value,
        "parked_at": letter.parked_at.isoformat(),
        "updated_at": letter.updated_at.isoformat(),
        "position": letter.position,
        "stream_id": stream,  # what it is about: the event's stream, or where a reply goes
        "application_id": application,  # when that stream is an application's journey
    }


async def _stream_of(kernel: Kernel, letter: DeadLetter) -> str | None:
    if letter.kind == "event":
        record = await kernel.storage.read_event(letter.message_id)
        return None if record is None else record.stream_id
    try:  # a command's letter keeps the scheduled message, with whom to reply to
        scheduled = orjson.loads(letter.payload)
        reply = orjson.loads(scheduled["reply"]) if scheduled.get("reply") else {}
        stream = reply.get("stream_id") or scheduled.get("stream_id")
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return None
    return stream if isinstance(stream, str) else None


@router.get("/dead-letters")
async def list_dead_letters(
    principal: Operator,
    kernel: KernelDep,
    consumer: Annotated[str | None, Query(max_length=100)] = None,
    all_: Annotated[bool, Query(alias="all", description="resolved and discarded too")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Messages consumers could not process, oldest first (open ones unless `?all=true`)."""
    letters = await kernel.storage.list_dead_letters(
        consumer=consumer, statuses=None if all_ else list(OPEN), limit=limit
    )
    return [await _letter(kernel, letter) for letter in letters]


@router.post(
    "/dead-letters/{letter_id}/redrive",
    status_code=202,
    responses={202: {"model": CommandAccepted}},
    response_class=JSONResponse,
)
async def redrive(letter_id: str, request: Request, principal: Operator) -> JSONResponse:
    """Process the letter again (and those of its sequence parked behind it), in order, once,
    with the current code. 202 with the ids queued."""
    kernel = kernel_of(request)
    try:
        queued = await request_redrive(kernel.storage, [letter_id[:300]])
    except DeadLetterNotFound:
        raise not_found("dead letter") from None
    return await _accepted(request, letter_id, {"queued": queued})


@router.post(
    "/dead-letters/{letter_id}/discard",
    status_code=202,
    responses={202: {"model": CommandAccepted}},
    response_class=JSONResponse,
)
async def discard_letter(letter_id: str, request: Request, principal: Operator) -> JSONResponse:
    """Give up on a parked letter for good (kept, marked discarded, for audit)."""
    kernel = kernel_of(request)
    try:
        discarded = await discard(kernel.storage, [letter_id[:300]])
    except DeadLetterNotFound:
        raise not_found("dead letter") from None
    return await _accepted(request, letter_id, {"discarded": discarded})


async def _accepted(request: Request, letter_id: str, result: dict[str, Any]) -> JSONResponse:
    position = await kernel_of(request).storage.last_position()
    location = "/dead-letters"
    return JSONResponse(
        {"location": location, "position": position, "result": result},
        status_code=202,
        headers={"Location": location},
    )


@router.get("/projections")
async def projections(principal: Operator, kernel: KernelDep) -> list[dict[str, Any]]:
    """Each projection's checkpoint, the log's head, the lag and parked letters."""
    return [
        {
            "name": status.name,
            "checkpoint": status.checkpoint,
            "head": status.head,
            "lag": status.lag,
            "parked": status.parked,
        }
        for status in await kernel.projections.status()
    ]
