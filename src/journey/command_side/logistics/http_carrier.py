"""The carrier port over HTTP (httpx): a carrier service that books parcels and posts signed
webhooks back to us (`carrier_service.py` is a simulated one).

Transport failures, timeouts and 5xx become `CarrierUnavailable` (retried by the scheduler);
other 4xx become `BookingRefused` (a broken rule). The shipment id travels as the
`Idempotency-Key` header, so a retried booking answers the first one.
"""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from journey.command_side.logistics.carrier import (
    Booking,
    BookingRefused,
    BookingRequest,
    CarrierUnavailable,
)

BOOKINGS_PATH = "/carrier/shipments"


class HttpCarrier:
    """Books parcels with a carrier's HTTP API."""

    def __init__(self, client: httpx.AsyncClient, *, name: str) -> None:
        self._client = client
        self._name = name

    @classmethod
    def connect(cls, base_url: str, *, name: str, timeout: float = 5.0) -> HttpCarrier:
        """An adapter with its own client (close it with `aclose`)."""
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout), name=name)

    @property
    def name(self) -> str:
        return self._name

    async def aclose(self) -> None:
        await self._client.aclose()

    async def book(self, request: BookingRequest) -> Booking:
        try:
            response = await self._client.post(
                BOOKINGS_PATH,
                content=request.model_dump_json(),
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": request.shipment_id,
                },
            )
        except httpx.TimeoutException as error:
            raise CarrierUnavailable(self._name, f"timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise CarrierUnavailable(self._name, f"unreachable ({type(error).__name__})") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise CarrierUnavailable(self._name, f"answered {response.status_code}")
        if response.status_code >= 400:
            raise BookingRefused(f"carrier {self._name} refused the booking ({_title(response)})")
        try:
            booking = Booking.model_validate_json(response.content)
        except ValidationError as error:
            raise CarrierUnavailable(self._name, "answered something we cannot read") from error
        if booking.deliveries:
            # A remote carrier posts its own webhooks; planned deliveries would be applied twice.
            raise CarrierUnavailable(self._name, "answered with in-process deliveries")
        return booking


def _title(response: httpx.Response) -> str:
    # A problem's title names the kind of refusal; its detail may echo the address we sent.
    try:
        body = response.json()
    except ValueError:
        body = None
    title = body.get("title") if isinstance(body, dict) else None
    return (
        f"{response.status_code} {title}" if isinstance(title, str) else str(response.status_code)
    )
