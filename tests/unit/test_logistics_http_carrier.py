"""The HTTP carrier adapter: what it sends, and how the carrier's failures map to ours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import orjson
import pytest

from journey.command_side.logistics import (
    BookingRefused,
    BookingRequest,
    CarrierUnavailable,
    HttpCarrier,
)
from journey.cqrs.errors import RuleViolation
from tests.support.logistics import ADDRESS, RECIPIENT

REQUEST = BookingRequest(
    shipment_id="s1",
    service_level="express",
    recipient_name=RECIPIENT,
    address=ADDRESS,
    requested_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
)
BOOKING = {
    "carrier": "fastpost",
    "tracking_number": "FP123",
    "service_level": "express",
    "booked_at": "2026-03-02T09:00:05Z",
    "estimated_delivery": "2026-03-03T09:00:00Z",
}


def carrier(answer: Callable[[httpx.Request], httpx.Response]) -> HttpCarrier:
    client = httpx.AsyncClient(
        base_url="http://carrier.test", transport=httpx.MockTransport(answer)
    )
    return HttpCarrier(client, name="fastpost")


async def test_a_booking_posts_the_parcel_with_the_shipment_as_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=BOOKING)

    booking = await carrier(answer).book(REQUEST)
    assert (booking.carrier, booking.tracking_number, booking.deliveries) == (
        "fastpost",
        "FP123",
        (),
    )
    [sent] = seen
    assert (sent.method, sent.url.path) == ("POST", "/carrier/shipments")
    assert sent.headers["Idempotency-Key"] == "s1"
    body = orjson.loads(sent.content)
    assert body["address"]["postal_code"] == ADDRESS.postal_code
    assert body["recipient_name"] == RECIPIENT


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_a_carrier_failure_is_worth_retrying(status: int) -> None:
    with pytest.raises(CarrierUnavailable, match=str(status)):
        await carrier(lambda _: httpx.Response(status)).book(REQUEST)


async def test_an_unreachable_or_unreadable_carrier_is_worth_retrying() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(CarrierUnavailable, match="unreachable"):
        await carrier(unreachable).book(REQUEST)
    with pytest.raises(CarrierUnavailable, match="cannot read"):
        await carrier(lambda _: httpx.Response(201, content=b"<html>")).book(REQUEST)
    with_deliveries = {**BOOKING, "deliveries": [{"deliver_at": "2026-03-02T10:00:00Z", "update": {
        "update_id": "u1", "tracking_number": "FP123", "status": "dispatched",
        "occurred_at": "2026-03-02T09:30:00Z"}}]}  # fmt: skip
    with pytest.raises(CarrierUnavailable, match="in-process"):
        await carrier(lambda _: httpx.Response(201, json=with_deliveries)).book(REQUEST)


async def test_a_refusal_is_a_broken_rule_that_names_the_kind_but_not_the_detail() -> None:
    problem = {"title": "Unserviceable address", "detail": f"we do not deliver to {ADDRESS.line1}"}
    with pytest.raises(BookingRefused) as refused:
        await carrier(lambda _: httpx.Response(422, json=problem)).book(REQUEST)
    assert isinstance(refused.value, RuleViolation)
    assert "Unserviceable address" in str(refused.value)
    assert ADDRESS.line1 not in str(refused.value)
