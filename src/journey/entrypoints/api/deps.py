"""What the endpoints share: the running kernel and platform, read-your-writes waits, who owns
an application or a card, and sending a command the way every command endpoint answers it."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from journey.command_side.issuance.application import Application
from journey.command_side.issuance.card import Card
from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.context import MessageContext
from journey.cqrs.messages import Command
from journey.cqrs.runtime import Kernel
from journey.entrypoints.api.auth import Principal
from journey.entrypoints.api.errors import ApiProblem, not_found
from journey.platform import Platform

WAIT_LIMIT_SECONDS = 5.0
ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"  # application, card, shipment ids: no spaces, no slashes
_ID = re.compile(ID_PATTERN)


def kernel_of(request: Request) -> Kernel:
    kernel: Kernel = request.app.state.kernel
    return kernel


async def _kernel_dependency(request: Request) -> Kernel:
    # async: FastAPI runs a plain `def` dependency on a worker thread, a hop on every request.
    return kernel_of(request)


def platform_of(request: Request) -> Platform | None:
    """The platform when the app built it (or was given one); None with a bare kernel."""
    platform: Platform | None = getattr(request.app.state, "platform", None)
    return platform


KernelDep = Annotated[Kernel, Depends(_kernel_dependency)]


# -- read-your-writes -------------------------------------------------------------------------


async def wait_until_caught_up(kernel: Kernel, consumers: tuple[str, ...], position: int) -> None:
    """Wait (at most 5 s in all) until each consumer has processed the log up to `position`;
    504 problem when one has not."""
    reads = ReadModels(kernel.storage)
    deadline = asyncio.get_running_loop().time() + WAIT_LIMIT_SECONDS
    for consumer in consumers:
        remaining = max(deadline - asyncio.get_running_loop().time(), 0.0)
        if not await reads.wait_for(consumer, position, remaining):
            raise ApiProblem(
                504,
                "Not caught up yet",
                f"the read model has not reached log position {position} within "
                f"{WAIT_LIMIT_SECONDS:g} s; ask again",
                kind="not-caught-up",
                position=position,
            )


def consistent(*consumers: str) -> Callable[..., Awaitable[None]]:
    """A dependency honouring `?wait_for=<position>` over the named projections."""

    async def dependency(
        request: Request,
        wait_for: Annotated[
            int | None,
            Query(
                ge=0,
                le=2**62,
                description="wait (up to 5 s) until the read model has caught up with this "
                "event-log position (a command's `position`): read-your-writes",
            ),
        ] = None,
    ) -> None:
        if wait_for is not None:
            await wait_until_caught_up(kernel_of(request), consumers, wait_for)

    return dependency


# -- who owns what ----------------------------------------------------------------------------


def checked_id(value: str, what: str) -> str:
    """An id from a path: ours are short and plain, anything else names nothing (404)."""
    if not _ID.fullmatch(value):
        raise not_found(what)
    return value


async def owner_of_stream(kernel: Kernel, stream_id: str) -> str | None:
    """The `customer_id` the stream's first event names (None when the stream does not exist).

    Read from the write side, so it is right the moment a command has been accepted; the field
    is the pseudonymous data-subject id, stored in the clear.
    """
    first = await kernel.storage.read_stream(stream_id, limit=1)
    if not first:
        return None
    owner = orjson.loads(first[0].data).get("customer_id")
    return owner if isinstance(owner, str) else None


async def application_for(kernel: Kernel, principal: Principal, application_id: str) -> str:
    """The application's owner, if the caller may act on it: staff on any, a customer on their
    own. A stranger's application and a missing one both answer 404."""
    checked_id(application_id, "application")
    owner = await owner_of_stream(kernel, Application.stream_id_for(application_id))
    if owner is None or not (principal.is_staff or owner == principal.subject):
        raise not_found("application")
    return owner


async def card_for(kernel: Kernel, principal: Principal, card_id: str) -> str:
    """The card's owner, under the same rules as applications."""
    checked_id(card_id, "card")
    owner = await owner_of_stream(kernel, Card.stream_id_for(card_id))
    if owner is None or not (principal.is_staff or owner == principal.subject):
        raise not_found("card")
    return owner


def visible(document: Mapping[str, Any] | None, principal: Principal) -> bool:
    """Whether a journey row may be shown: staff see all, a customer their own."""
    if document is None:
        return False
    return principal.is_staff or document.get("customer_id") == principal.subject


# -- commands ---------------------------------------------------------------------------------

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="makes the command safe to retry: the same key with the same body answers "
        "the first answer again; with another body, 409",
    ),
]


class CommandAccepted(BaseModel):
    """The answer to every command: where to look, and the log position to wait for."""

    location: str
    position: int
    result: Any = None


def scoped_key(principal: Principal, key: str | None) -> str | None:
    """The idempotency key as stored: per caller, so two callers' keys never meet, and hashed,
    so no user name or client text lands in the store."""
    if key is None:
        return None
    digest = hashlib.sha256(f"{principal.subject}\x1f{key}".encode()).hexdigest()
    return f"http:{digest[:48]}"


async def send_command(
    request: Request,
    principal: Principal,
    command: Command,
    *,
    location: str,
    idempotency_key: str | None,
    result: Callable[[Any], Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """Send `command` as `principal` (correlated with the request) and answer 202.

    `result` picks what of the handler's value the caller may see (nothing by default); a
    replayed key answers the same body and says so in `Idempotent-Replayed: true`.
    """
    kernel = kernel_of(request)
    context = MessageContext.root(
        correlation_id=getattr(request.state, "correlation_id", None),
        traceparent=request.headers.get("traceparent"),
        idempotency_key=scoped_key(principal, idempotency_key),
        actor=principal.actor,
    )
    outcome = await kernel.commands.send(command, context=context)
    position = outcome.position
    if position is None:  # nothing new was written: everything up to the head reflects it
        position = await kernel.storage.last_position()
    body: dict[str, Any] = {"location": location, "position": position, **(extra or {})}
    if result is not None:
        body["result"] = result(outcome.value)
    headers = {"Location": location}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body, status_code=202, headers=headers)
