"""A simulated carrier as an HTTP service: it books parcels and posts signed webhooks.

It plans each parcel like the in-process simulator (same seed, same behaviour) and posts every
planned report to the configured callback URL when due: late, sometimes twice, sometimes after
later reports. A delivery that fails (no answer, any non-2xx) is tried again with backoff, as
real carriers do, until `max_attempts`. Its state lives in memory: it stands for someone else's
system, whose durability is theirs.

`deliver_due()` posts what is due by the service's clock (tests drive it with a `ManualClock`);
`run()` does so in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from journey.command_side.logistics.carrier import Booking, BookingRequest, CarrierUpdate
from journey.command_side.logistics.http_carrier import BOOKINGS_PATH
from journey.command_side.logistics.simulation import (
    SIMULATED_CARRIER,
    CarrierBehaviour,
    SimulatedCarrier,
)
from journey.command_side.logistics.webhooks import WebhookBody, problem, signed_headers
from journey.cqrs.clock import Clock, SystemClock

_log = structlog.get_logger("journey.logistics.carrier_simulator")


@dataclass(order=True, slots=True)
class _Pending:
    due: datetime
    sequence: int
    update: CarrierUpdate = field(compare=False)
    attempts: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST of a webhook and how it went (kept for tests and demos)."""

    update_id: str
    at: datetime
    status_code: int | None  # None: no answer


class CarrierSimulatorService:
    """The carrier behind the simulated carrier's HTTP API."""

    def __init__(
        self,
        *,
        callback_url: str,
        secret: bytes | str,
        clock: Clock | None = None,
        behaviour: CarrierBehaviour | None = None,
        name: str = SIMULATED_CARRIER,
        client: httpx.AsyncClient | None = None,
        retry_after: timedelta = timedelta(minutes=1),
        max_attempts: int = 8,
        timeout: float = 5.0,
    ) -> None:
        self.callback_url = callback_url
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self._clock = clock or SystemClock()
        self._planner = SimulatedCarrier(behaviour, name=name)
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._own_client = client is None
        self._retry_after = retry_after
        self._max_attempts = max_attempts
        self._bookings: dict[str, Booking] = {}  # by shipment id: booking is idempotent
        self._updates: dict[str, tuple[CarrierUpdate, ...]] = {}  # by tracking number
        self._queue: list[_Pending] = []
        self._sequence = itertools.count()
        self.attempts: list[DeliveryAttempt] = []
        self.abandoned: list[str] = []  # update ids given up on

    @property
    def name(self) -> str:
        return self._planner.name

    @property
    def pending(self) -> int:
        return len(self._queue)

    def book(self, request: BookingRequest) -> Booking:
        """Take a parcel (the same booking again for a shipment already booked)."""
        known = self._bookings.get(request.shipment_id)
        if known is not None:
            return known
        plan = self._planner.plan(request.shipment_id, self._clock.now(), request.service_level)
        booking = Booking(
            carrier=self.name,
            tracking_number=plan.tracking_number,
            service_level=request.service_level,
            booked_at=plan.booked_at,
            estimated_delivery=plan.estimated_delivery,
        )
        self._bookings[request.shipment_id] = booking
        self._updates[plan.tracking_number] = plan.updates
        for delivery in plan.deliveries:
            heapq.heappush(
                self._queue, _Pending(delivery.deliver_at, next(self._sequence), delivery.update)
            )
        return booking

    def reported(self, tracking_number: str) -> list[CarrierUpdate] | None:
        """What the carrier's own tracking page shows now (None for an unknown number)."""
        updates = self._updates.get(tracking_number)
        if updates is None:
            return None
        now = self._clock.now()
        return [update for update in updates if update.occurred_at <= now]

    async def deliver_due(self) -> int:
        """Post every webhook due by now, in order; returns how many posts were attempted."""
        posted = 0
        now = self._clock.now()
        while self._queue and self._queue[0].due <= now:
            pending = heapq.heappop(self._queue)
            posted += 1
            if not await self._post(pending.update, now):
                self._retry_later(pending, now)
        return posted

    async def run(self, stop: asyncio.Event, *, interval: float = 0.25) -> None:
        """Deliver due webhooks until `stop` is set."""
        while not stop.is_set():
            try:
                await self.deliver_due()
            except Exception as error:  # a simulator must keep going whatever happens
                _log.error("webhook delivery loop failed", error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def _post(self, update: CarrierUpdate, now: datetime) -> bool:
        body = WebhookBody(carrier=self.name, updates=(update,)).model_dump_json().encode()
        try:
            response = await self._client.post(
                self.callback_url, content=body, headers=signed_headers(self._secret, body, now)
            )
        except httpx.HTTPError as error:
            self.attempts.append(DeliveryAttempt(update.update_id, now, None))
            _log.warning(
                "webhook not delivered", update_id=update.update_id, error=type(error).__name__
            )
            return False
        self.attempts.append(DeliveryAttempt(update.update_id, now, response.status_code))
        return response.is_success

    def _retry_later(self, pending: _Pending, now: datetime) -> None:
        attempts = pending.attempts + 1
        if attempts >= self._max_attempts:
            self.abandoned.append(pending.update.update_id)
            return
        due = now + self._retry_after * 2 ** (attempts - 1)
        heapq.heappush(self._queue, _Pending(due, next(self._sequence), pending.update, attempts))


def carrier_simulator_router(service: CarrierSimulatorService) -> APIRouter:
    """The simulated carrier's API: book a parcel, read its tracking."""
    router = APIRouter(tags=["simulated carrier"])

    @router.post(BOOKINGS_PATH, status_code=201)
    async def book(request: BookingRequest) -> Booking:
        """Book a parcel; the shipment id is the idempotency key."""
        return service.book(request)

    @router.get(BOOKINGS_PATH + "/{tracking_number}", response_model=None)
    async def track(tracking_number: str) -> dict[str, Any] | JSONResponse:
        """The parcel's tracking as the carrier shows it."""
        updates = service.reported(tracking_number)
        if updates is None:
            return problem(404, "Unknown tracking number", "no parcel has this tracking number")
        return {
            "tracking_number": tracking_number,
            "status": updates[-1].status if updates else "ordered",
            "updates": [update.model_dump(mode="json") for update in updates],
        }

    return router


def create_carrier_simulator_app(
    service: CarrierSimulatorService, *, deliver_in_background: bool = True
) -> FastAPI:
    """The simulated carrier as an app; it posts due webhooks in the background when asked."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = (
            asyncio.get_running_loop().create_task(service.run(stop))
            if deliver_in_background
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await service.aclose()

    app = FastAPI(
        title="Simulated carrier",
        description="Books parcels and posts signed tracking webhooks: late, duplicated and "
        "out of order, like real carriers.",
        lifespan=lifespan,
    )
    app.include_router(carrier_simulator_router(service))
    return app
