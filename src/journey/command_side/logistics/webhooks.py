"""Carrier webhooks, receiving side: verify, parse, apply.

A carrier signs each POST with HMAC-SHA256 under a shared secret. The signed message is the
timestamp header, a dot, and the raw body (`f"{timestamp}.".encode() + body`), so a captured
request cannot be replayed with a fresh timestamp; requests whose timestamp is more than the
tolerance (5 minutes) away from our clock are refused. Signatures are compared in constant time.
Within the window a resent webhook is harmless: updates are idempotent by `update_id`.

Body: `{"carrier": "...", "updates": [{"update_id", "tracking_number", "status",
"occurred_at", "detail"}, ...]}`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from journey.command_side.logistics.carrier import CarrierUpdate
from journey.command_side.logistics.commands import ApplyCarrierUpdate
from journey.cqrs.bus.command_bus import CommandBus
from journey.cqrs.clock import Clock, SystemClock
from journey.cqrs.context import MessageContext
from journey.cqrs.errors import NotFound

SIGNATURE_HEADER = "X-Journey-Signature"
TIMESTAMP_HEADER = "X-Journey-Timestamp"
DEFAULT_TOLERANCE = timedelta(minutes=5)
MAX_BODY_BYTES = 64 * 1024
PROBLEM_JSON = "application/problem+json"

_log = structlog.get_logger("journey.logistics.webhooks")


class WebhookBody(BaseModel):
    """What a carrier posts: one or more tracking updates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    carrier: str = Field(min_length=1, max_length=64)
    updates: tuple[CarrierUpdate, ...] = Field(min_length=1, max_length=100)


# -- errors the HTTP layer turns into problem+json -------------------------------------------------
class WebhookRejected(Exception):
    """A webhook we refuse; `status` and `title` are its HTTP answer."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Webhook rejected"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidSignature(WebhookRejected):
    """Missing, malformed or wrong signature (401)."""

    status = 401
    title = "Invalid webhook signature"


class StaleWebhook(InvalidSignature):
    """Correctly signed, but its timestamp is outside the tolerance: a replay (401)."""

    title = "Stale webhook"


class MalformedWebhook(WebhookRejected):
    """Correctly signed, but not a body we can read (400)."""

    status = 400
    title = "Malformed webhook"


class WebhookTooLarge(MalformedWebhook):
    status = 413
    title = "Webhook too large"


class UnknownTrackingNumber(WebhookRejected):
    """An update for a tracking number we have not booked (yet): the carrier should retry (404).

    It happens when a carrier's first webhook overtakes the commit of our booking."""

    status = 404
    title = "Unknown tracking number"


# -- signing ---------------------------------------------------------------------------------------
def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The `X-Journey-Signature` value for a body sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signed_headers(secret: bytes, body: bytes, now: datetime) -> dict[str, str]:
    """The headers a carrier sends with `body` (what the simulated carrier uses)."""
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Raise `InvalidSignature` or `StaleWebhook` unless the body is signed and fresh."""
    lowered = {name.lower(): value for name, value in headers.items()}
    given = lowered.get(SIGNATURE_HEADER.lower())
    stamp = lowered.get(TIMESTAMP_HEADER.lower())
    if not given or not stamp:
        raise InvalidSignature("the signature or timestamp header is missing")
    try:
        timestamp = int(stamp.strip())
    except ValueError:
        raise InvalidSignature("the timestamp is not a Unix time in seconds") from None
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise InvalidSignature("the signature does not match the body")
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        raise StaleWebhook("the webhook's timestamp is outside the accepted window")


def parse(body: bytes) -> WebhookBody:
    """The webhook's updates; `MalformedWebhook` when the body is not what carriers send."""
    try:
        return WebhookBody.model_validate_json(body)
    except ValidationError as error:
        # Say where, not what: the body may quote whatever the sender put in it.
        places = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in error.errors()})
        raise MalformedWebhook(f"invalid fields: {', '.join(places[:10])}") from None


# -- receiving -------------------------------------------------------------------------------------
class CarrierWebhooks:
    """Verifies a carrier's webhook and sends one `ApplyCarrierUpdate` per update it carries."""

    def __init__(
        self,
        commands: CommandBus,
        secret: bytes | str,
        *,
        clock: Clock | None = None,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._commands = commands
        self._secret = secret.encode() if isinstance(secret, str) else secret
        if len(self._secret) < 16:
            raise ValueError("a webhook secret needs at least 16 bytes")
        self._clock = clock or SystemClock()
        self._tolerance = tolerance
        self._max_body = max_body_bytes

    @property
    def max_body_bytes(self) -> int:
        return self._max_body

    async def handle(self, raw_body: bytes, headers: Mapping[str, str]) -> list[str]:
        """The update ids accepted (duplicates included: they need no resending). Raises a
        `WebhookRejected` for anything the carrier should fix or resend."""
        if len(raw_body) > self._max_body:
            raise WebhookTooLarge(f"the body exceeds {self._max_body} bytes")
        try:
            verify(
                self._secret, raw_body, headers, now=self._clock.now(), tolerance=self._tolerance
            )
        except InvalidSignature as refused:
            _log.warning("carrier webhook refused", reason=type(refused).__name__)
            raise
        body = parse(raw_body)
        accepted: list[str] = []
        for update in body.updates:
            context = MessageContext.root(actor=f"carrier:{body.carrier}")
            try:
                await self._commands.send(
                    ApplyCarrierUpdate(
                        tracking_number=update.tracking_number,
                        update_id=update.update_id,
                        status=update.status,
                        occurred_at=update.occurred_at,
                        detail=update.detail,
                    ),
                    context=context,
                )
            except NotFound:
                raise UnknownTrackingNumber(
                    f"no shipment has tracking number {update.tracking_number}"
                    + (f" (accepted before it: {', '.join(accepted)})" if accepted else "")
                ) from None
            accepted.append(update.update_id)
        return accepted


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """An RFC 9457 problem+json answer."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def carrier_webhook_router(
    webhooks: CarrierWebhooks | None = None, *, path: str = "/webhooks/carrier"
) -> APIRouter:
    """`POST /webhooks/carrier`: 202 with the accepted update ids, or problem+json (401 bad or
    stale signature, 400 malformed, 404 unknown tracking number, 413 too large). Without
    `webhooks`, the app's `state.carrier_webhooks` is used (set it at start-up)."""
    router = APIRouter(tags=["logistics"])

    @router.post(
        path,
        status_code=202,
        response_model=None,
        responses={
            202: {"description": 'accepted; body: {"accepted": [update ids]}'},
            400: {"description": "malformed body"},
            401: {"description": "invalid or stale signature"},
            404: {"description": "unknown tracking number; retry later"},
            413: {"description": "body too large"},
        },
    )
    async def receive_carrier_webhook(request: Request) -> JSONResponse:
        """A carrier's signed tracking updates."""
        handler: CarrierWebhooks = webhooks or request.app.state.carrier_webhooks
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > handler.max_body_bytes:
            return problem(WebhookTooLarge.status, WebhookTooLarge.title, "the body is too large")
        try:
            accepted = await handler.handle(await request.body(), request.headers)
        except WebhookRejected as rejected:
            return problem(rejected.status, rejected.title, rejected.detail)
        return JSONResponse({"accepted": accepted}, status_code=202)

    return router
