"""Carrier webhooks end to end: signed, late, duplicated and out of order, in process and over
real HTTP on loopback; durable across a restart; return to sender."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import httpx
import orjson
import pytest
from fastapi import FastAPI

from journey.command_side.logistics import (
    SIGNATURE_HEADER,
    Booking,
    BookingRequest,
    CarrierBehaviour,
    CarrierSimulatorService,
    CarrierUpdate,
    CarrierWebhooks,
    GetShipment,
    HttpCarrier,
    InvalidSignature,
    ShipmentView,
    SimulatedCarrier,
    StaleWebhook,
    TrackingPlan,
    UnknownTrackingNumber,
    carrier_webhook_router,
    create_carrier_simulator_app,
    logistics_module,
    plan_tracking,
    signed_headers,
)
from journey.command_side.logistics.simulation import RETURN_REASONS
from journey.command_side.logistics.webhooks import WebhookBody
from journey.cqrs.clock import ManualClock
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.port import Storage
from journey.cqrs.store.sqlite import SqliteStorage
from tests.support.kernel import kernel_on
from tests.support.logistics import ADDRESS, RECIPIENT, SECRET, create_shipment
from tests.support.servers import serving


def signed(updates: Sequence[CarrierUpdate], clock: ManualClock) -> tuple[bytes, dict[str, str]]:
    body = WebhookBody(carrier="simcarrier", updates=tuple(updates)).model_dump_json().encode()
    return body, signed_headers(SECRET, body, clock.now())


async def shipment(kernel: Kernel, shipment_id: str) -> ShipmentView:
    view = await kernel.queries.ask(GetShipment(shipment_id=shipment_id))
    assert view is not None
    return view


async def event_types(kernel: Kernel, shipment_id: str) -> list[str]:
    return [r.event_type for r in await kernel.storage.read_stream(f"shipment-{shipment_id}")]


class ScriptedCarrier(SimulatedCarrier):
    """Books with the tracking number `T-<shipment id>` and leaves the news to the test."""

    async def book(self, request: BookingRequest) -> Booking:
        return Booking(
            carrier=self.name,
            tracking_number=f"T-{request.shipment_id}",
            service_level=request.service_level,
            booked_at=request.requested_at,
        )


ORDERS = ("in-order", "as-planned", "reversed-twice", "shuffled-twice")


def arrivals(
    order: str, plan: TrackingPlan, tracking_number: str, seed: int
) -> list[CarrierUpdate]:
    """The plan's news for this tracking number, arriving in the given order."""

    def ours(update: CarrierUpdate) -> CarrierUpdate:
        return update.model_copy(
            update={
                "tracking_number": tracking_number,
                "update_id": f"{tracking_number}/{update.update_id}",
            }
        )

    news = [ours(update) for update in plan.updates]
    if order == "in-order":
        return news
    if order == "as-planned":  # late, some twice, some overtaken: what the simulator sends
        return [ours(delivery.update) for delivery in plan.deliveries]
    if order == "reversed-twice":
        return [*reversed(news), *reversed(news)]
    return random.Random(seed).sample([*news, *news], 2 * len(news))


async def test_duplicated_out_of_order_and_late_webhooks_end_in_the_same_state_as_in_order_ones(
    storage: Storage,
) -> None:
    clock = ManualClock()
    kernel = await kernel_on(storage, modules=[logistics_module(ScriptedCarrier())], clock=clock)
    webhooks = CarrierWebhooks(kernel.commands, SECRET, clock=clock)
    behaviour = CarrierBehaviour(return_rate=0.3, delay_rate=0.5, seed=21)
    compared = set()
    for number in range(8):
        plan = plan_tracking(f"TEMPLATE{number}", clock.now(), "standard", behaviour)
        for order in ORDERS:
            sid = f"{order}-{number}"
            await kernel.commands.send(create_shipment(sid))
            for update in arrivals(order, plan, f"T-{sid}", seed=number):
                body, headers = signed([update], clock)  # one webhook each, as carriers send
                assert await webhooks.handle(body, headers) == [update.update_id]
        await kernel.settle()
        outcomes = set()
        for order in ORDERS:
            sid = f"{order}-{number}"
            view = await shipment(kernel, sid)
            types = await event_types(kernel, sid)
            finals = [t for t in types if t in {"ShipmentDelivered", "ShipmentReturned"}]
            outcomes.add(
                (
                    view.status,
                    view.final,
                    view.final_reason,
                    tuple(finals),
                    len(view.history),
                    tuple(sorted((entry.status, entry.occurred_at) for entry in view.history)),
                )
            )
        assert len(outcomes) == 1, outcomes
        compared |= {outcome[0] for outcome in outcomes}
    assert compared == {"delivered", "returned"}  # both endings were exercised
    await kernel.stop()


async def test_the_embedded_carriers_pending_webhooks_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "journey.db"
    clock = ManualClock()
    carrier = SimulatedCarrier(CarrierBehaviour(return_rate=0.0, duplicate_rate=0.5))
    kernel = await kernel_on(
        await SqliteStorage(db).open(), modules=[logistics_module(carrier)], clock=clock
    )
    await kernel.commands.send(create_shipment("s1"))
    clock.advance(timedelta(hours=10))
    await kernel.settle()
    assert (await shipment(kernel, "s1")).status != "delivered"
    await kernel.close()  # the process goes away with most of the carrier's news still due

    clock.advance(timedelta(days=30))
    restarted = await kernel_on(
        await SqliteStorage(db).open(), modules=[logistics_module(carrier)], clock=clock
    )
    await restarted.settle()
    view = await shipment(restarted, "s1")
    assert (view.status, view.final) == ("delivered", True)
    assert (await event_types(restarted, "s1")).count("ShipmentDelivered") == 1
    assert await restarted.storage.next_due_at() is None
    await restarted.close()


async def test_a_returned_parcel_ends_returned_with_its_reason_and_later_news_changes_nothing(
    storage: Storage,
) -> None:
    clock = ManualClock()
    carrier = SimulatedCarrier(CarrierBehaviour(return_rate=1.0))
    kernel = await kernel_on(storage, modules=[logistics_module(carrier)], clock=clock)
    booked = await kernel.commands.send(create_shipment("s1"))
    clock.advance(timedelta(days=30))
    await kernel.settle()
    view = await shipment(kernel, "s1")
    assert (view.status, view.final) == ("returned", True)
    assert view.final_reason in RETURN_REASONS
    assert view.delivered_at is None
    records = await kernel.storage.read_stream("shipment-s1")
    returned = [orjson.loads(r.data) for r in records if r.event_type == "ShipmentReturned"]
    assert len(returned) == 1
    assert (returned[0]["application_id"], returned[0]["card_id"]) == ("app-s1", "card-s1")

    late = CarrierUpdate(
        update_id="late-1",
        tracking_number=booked.value["tracking_number"],
        status="delivered",
        occurred_at=clock.now(),
    )
    body, headers = signed([late], clock)
    webhooks = CarrierWebhooks(kernel.commands, SECRET, clock=clock)
    assert await webhooks.handle(body, headers) == ["late-1"]
    await kernel.settle()
    after = await shipment(kernel, "s1")
    assert (after.status, after.final_reason) == ("returned", view.final_reason)
    assert [e.applied for e in after.history if e.update_id == "late-1"] == [False]
    assert "ShipmentDelivered" not in await event_types(kernel, "s1")
    await kernel.stop()


@pytest.fixture
async def receiving() -> AsyncIterator[tuple[Kernel, ManualClock, httpx.AsyncClient]]:
    """Our side: a kernel with logistics and an app exposing the webhook endpoint."""
    clock = ManualClock()
    kernel = await kernel_on(
        MemoryStorage(),
        modules=[logistics_module(ScriptedCarrier())],
        clock=clock,
    )
    app = FastAPI()
    app.state.carrier_webhooks = CarrierWebhooks(kernel.commands, SECRET, clock=clock)
    app.include_router(carrier_webhook_router())
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        yield kernel, clock, client
    await kernel.stop()


async def test_the_webhook_endpoint_answers_202_or_problem_json(
    receiving: tuple[Kernel, ManualClock, httpx.AsyncClient],
) -> None:
    kernel, clock, client = receiving
    await kernel.commands.send(create_shipment("s1"))
    update = CarrierUpdate(
        update_id="u1", tracking_number="T-s1", status="dispatched", occurred_at=clock.now()
    )
    body, headers = signed([update], clock)

    accepted = await client.post("/webhooks/carrier", content=body, headers=headers)
    assert (accepted.status_code, accepted.json()) == (202, {"accepted": ["u1"]})
    resent = await client.post("/webhooks/carrier", content=body, headers=headers)
    assert (resent.status_code, resent.json()) == (202, {"accepted": ["u1"]})

    forged = {**headers, SIGNATURE_HEADER: "sha256=" + "0" * 64}
    refused = await client.post("/webhooks/carrier", content=body, headers=forged)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "Invalid webhook signature"

    clock.advance(timedelta(minutes=6))
    replayed = await client.post("/webhooks/carrier", content=body, headers=headers)
    assert (replayed.status_code, replayed.json()["title"]) == (401, "Stale webhook")

    garbage = b'{"carrier": "simcarrier", "updates": "soon"}'
    malformed = await client.post(
        "/webhooks/carrier", content=garbage, headers=signed_headers(SECRET, garbage, clock.now())
    )
    assert (malformed.status_code, malformed.json()["status"]) == (400, 400)

    stranger = update.model_copy(update={"tracking_number": "T-nobody", "update_id": "u9"})
    body, headers = signed([stranger], clock)
    unknown = await client.post("/webhooks/carrier", content=body, headers=headers)
    assert unknown.status_code == 404

    huge = b"{" + b" " * 70_000 + b"}"
    too_large = await client.post(
        "/webhooks/carrier", content=huge, headers=signed_headers(SECRET, huge, clock.now())
    )
    assert too_large.status_code == 413

    await kernel.settle()
    assert (await shipment(kernel, "s1")).status == "dispatched"


async def test_the_webhook_handler_refuses_a_wrong_secret_and_a_replay_without_touching_state() -> (
    None
):
    clock = ManualClock()
    kernel = await kernel_on(
        MemoryStorage(),
        modules=[logistics_module(ScriptedCarrier())],
        clock=clock,
    )
    await kernel.commands.send(create_shipment("s1"))
    before = await kernel.storage.last_position()
    update = CarrierUpdate(
        update_id="u1", tracking_number="T-s1", status="delivered", occurred_at=clock.now()
    )
    body = WebhookBody(carrier="simcarrier", updates=(update,)).model_dump_json().encode()
    with pytest.raises(InvalidSignature):
        await CarrierWebhooks(kernel.commands, b"not-the-shared-secret-at-all", clock=clock).handle(
            body, signed_headers(SECRET, body, clock.now())
        )
    old = signed_headers(SECRET, body, clock.now() - timedelta(minutes=5, seconds=1))
    with pytest.raises(StaleWebhook):
        await CarrierWebhooks(kernel.commands, SECRET, clock=clock).handle(body, old)
    stranger = update.model_copy(update={"tracking_number": "T-x"})
    strange = WebhookBody(carrier="c", updates=(stranger,)).model_dump_json().encode()
    with pytest.raises(UnknownTrackingNumber):
        await CarrierWebhooks(kernel.commands, SECRET, clock=clock).handle(
            strange, signed_headers(SECRET, strange, clock.now())
        )
    assert await kernel.storage.last_position() == before
    with pytest.raises(ValueError, match="16 bytes"):
        CarrierWebhooks(kernel.commands, "short", clock=clock)
    await kernel.stop()


@pytest.fixture
async def over_http() -> AsyncIterator[tuple[Kernel, ManualClock, CarrierSimulatorService]]:
    """Our app and the simulated carrier's app, each on its own loopback port."""
    clock = ManualClock()
    behaviour = CarrierBehaviour(return_rate=0.0, duplicate_rate=0.5, reorder_rate=0.5, seed=4)
    ours = FastAPI()
    async with serving(ours) as our_base:
        service = CarrierSimulatorService(
            callback_url=f"{our_base}/webhooks/carrier",
            secret=SECRET,
            clock=clock,
            behaviour=behaviour,
            retry_after=timedelta(minutes=2),
            max_attempts=4,
        )
        carrier_app = create_carrier_simulator_app(service, deliver_in_background=False)
        async with (
            serving(carrier_app) as carrier_base,
            httpx.AsyncClient(base_url=carrier_base) as to_carrier,
        ):
            kernel = await kernel_on(
                MemoryStorage(),
                modules=[logistics_module(HttpCarrier(to_carrier, name=service.name))],
                clock=clock,
            )
            ours.include_router(
                carrier_webhook_router(CarrierWebhooks(kernel.commands, SECRET, clock=clock))
            )
            yield kernel, clock, service
            await kernel.stop()
        await service.aclose()


async def run_for(
    days: int, clock: ManualClock, service: CarrierSimulatorService, kernel: Kernel
) -> None:
    """Let simulated days pass in 3-hour steps: the carrier posts what is due, we settle."""
    for _ in range(days * 8):
        clock.advance(timedelta(hours=3))
        await service.deliver_due()
        await kernel.settle()


async def test_the_simulated_carrier_books_over_http_and_its_signed_webhooks_reach_our_app(
    over_http: tuple[Kernel, ManualClock, CarrierSimulatorService],
) -> None:
    kernel, clock, service = over_http
    tracking = {}
    for n in range(4):
        booked = await kernel.commands.send(create_shipment(f"s{n}", service_level="priority"))
        tracking[f"s{n}"] = booked.value["tracking_number"]
    await run_for(12, clock, service, kernel)

    assert service.pending == 0
    assert service.abandoned == []
    assert {attempt.status_code for attempt in service.attempts} == {202}
    posted = [attempt.update_id for attempt in service.attempts]
    assert len(posted) > len(set(posted))  # the carrier did send some news twice
    for sid, number in tracking.items():
        view = await shipment(kernel, sid)
        reported = service.reported(number)
        assert reported is not None
        assert (view.status, view.final) == (reported[-1].status, True) == ("delivered", True)
        assert (await event_types(kernel, sid)).count("ShipmentDelivered") == 1
        assert {e.update_id for e in view.history if e.update_id} == {u.update_id for u in reported}


async def test_webhooks_that_overtake_the_booking_are_refused_then_retried_by_the_carrier(
    over_http: tuple[Kernel, ManualClock, CarrierSimulatorService],
) -> None:
    kernel, clock, service = over_http
    # The carrier has the parcel, but our booking has not been committed yet.
    service.book(
        BookingRequest(
            shipment_id="s1",
            service_level="express",
            recipient_name=RECIPIENT,
            address=ADDRESS,
            requested_at=clock.now(),
        )
    )
    clock.advance(timedelta(days=4))
    await service.deliver_due()
    assert {attempt.status_code for attempt in service.attempts} == {404}

    booked = await kernel.commands.send(create_shipment("s1", service_level="express"))
    assert (
        booked.value["tracking_number"]
        == service.book(
            BookingRequest(
                shipment_id="s1",
                service_level="express",
                recipient_name=RECIPIENT,
                address=ADDRESS,
                requested_at=clock.now(),
            )
        ).tracking_number
    )  # the retried booking answered the first one
    await run_for(2, clock, service, kernel)
    assert service.abandoned == []
    assert (await shipment(kernel, "s1")).status == "delivered"


async def test_a_carrier_with_the_wrong_secret_is_refused_until_it_gives_up(
    over_http: tuple[Kernel, ManualClock, CarrierSimulatorService],
) -> None:
    kernel, clock, service = over_http
    booked = await kernel.commands.send(create_shipment("s1"))
    # The same carrier, misconfigured: it signs the same parcel's news with another secret.
    misconfigured = CarrierSimulatorService(
        callback_url=service.callback_url,
        secret=b"a-secret-that-is-not-ours-at-all",
        clock=clock,
        behaviour=CarrierBehaviour(return_rate=0.0, duplicate_rate=0.5, reorder_rate=0.5, seed=4),
        retry_after=timedelta(minutes=2),
        max_attempts=4,
    )
    again = misconfigured.book(
        BookingRequest(
            shipment_id="s1",
            service_level="standard",
            recipient_name=RECIPIENT,
            address=ADDRESS,
            requested_at=clock.now(),
        )
    )
    assert again.tracking_number == booked.value["tracking_number"]
    await run_for(12, clock, misconfigured, kernel)
    await misconfigured.aclose()
    assert {attempt.status_code for attempt in misconfigured.attempts} == {401}
    assert misconfigured.pending == 0
    assert misconfigured.abandoned  # every delivery was tried four times, then dropped
    assert len(misconfigured.attempts) == 4 * len(misconfigured.abandoned)
    assert (await shipment(kernel, "s1")).status == "ordered"
