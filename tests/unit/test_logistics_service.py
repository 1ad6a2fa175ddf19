"""The logistics service through the kernel: booking, label, tracking claim, idempotency,
carrier failures, the read model (no personal data), queries and erasure."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from pydantic import BaseModel, ConfigDict, SecretStr

from journey.command_side.logistics import (
    ApplyCarrierUpdate,
    Booking,
    BookingRefused,
    BookingRequest,
    Carrier,
    CarrierBehaviour,
    CarrierSettings,
    CarrierUnavailable,
    GetShipment,
    HttpCarrier,
    ListShipments,
    ShipmentCreated,
    SimulatedCarrier,
    carrier_from_settings,
    decode_pdf,
    logistics_module,
    tracking_number_for,
)
from journey.cqrs.clock import ManualClock
from journey.cqrs.errors import NotFound, RuleViolation
from journey.cqrs.privacy.erasure import erase_subject
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from tests.support.kernel import kernel_on
from tests.support.logistics import ADDRESS, PHONE, RECIPIENT, RecordingCarrier, create_shipment


async def logistics_kernel(carrier: Carrier, clock: ManualClock | None = None) -> Kernel:
    return await kernel_on(
        MemoryStorage(), modules=[logistics_module(carrier)], clock=clock or ManualClock()
    )


async def test_creating_a_shipment_books_it_labels_it_and_schedules_the_carriers_news() -> None:
    carrier = RecordingCarrier(CarrierBehaviour(seed=5))
    kernel = await logistics_kernel(carrier)
    result = await kernel.commands.send(create_shipment("s1"))
    assert result.value["status"] == "ordered"
    tracking = result.value["tracking_number"]
    assert [request.shipment_id for request in carrier.requests] == ["s1"]

    [created, booked] = [
        (await kernel.codec.decode(record)).event
        for record in await kernel.storage.read_stream("shipment-s1")
    ]
    assert isinstance(created, ShipmentCreated)
    assert (created.recipient, created.address, created.phone) == (RECIPIENT, ADDRESS, PHONE)
    assert created.label.tracking_number == tracking
    assert created.label_pdf is not None
    assert decode_pdf(created.label_pdf).startswith(b"%PDF-")
    assert booked.event_type == "ShipmentBooked"
    claim = await kernel.storage.read_stream(f"tracking-{tracking}")
    assert [record.event_type for record in claim] == ["TrackingNumberAssigned"]

    plan = carrier.plan("s1", kernel.clock.now(), "standard")
    due = await kernel.storage.due_scheduled(kernel.clock.now() + timedelta(days=60), 1000)
    assert sorted(message.due_at for message in due) == [d.deliver_at for d in plan.deliveries]
    assert {message.message_type for message in due} == {"ApplyCarrierUpdate"}
    await kernel.close()


async def test_the_personal_data_is_encrypted_in_the_log_and_absent_from_the_read_model() -> None:
    kernel = await logistics_kernel(SimulatedCarrier())
    await kernel.commands.send(create_shipment("s1"))
    await kernel.settle()
    raw = b"".join(r.data.encode() for r in await kernel.storage.read_stream("shipment-s1"))
    document = await kernel.storage.get_document("shipments", "s1")
    assert document is not None
    for personal in (RECIPIENT, "Reforma", "06600", PHONE):
        assert personal.encode() not in raw
        assert personal not in orjson.dumps(document).decode()
    await kernel.close()


async def test_creating_the_same_shipment_again_books_nothing_more() -> None:
    carrier = RecordingCarrier()
    kernel = await logistics_kernel(carrier)
    first = await kernel.commands.send(create_shipment("s1"))
    again = await kernel.commands.send(create_shipment("s1"))
    assert again.value == first.value
    assert again.position is None
    assert len(carrier.requests) == 1
    with pytest.raises(RuleViolation, match="another card"):
        await kernel.commands.send(create_shipment("s1", card_id="card-other"))
    await kernel.close()


class RefusingCarrier(SimulatedCarrier):
    async def book(self, request: BookingRequest) -> Booking:
        raise BookingRefused("carrier simcarrier refused the booking (422)")


class DownCarrier(SimulatedCarrier):
    async def book(self, request: BookingRequest) -> Booking:
        raise CarrierUnavailable(self.name, "unreachable (ConnectError)")


async def test_a_refusal_is_a_broken_rule_and_an_outage_a_passing_failure_and_nothing_is_kept() -> (
    None
):
    refusing = await logistics_kernel(RefusingCarrier())
    with pytest.raises(RuleViolation):
        await refusing.commands.send(create_shipment("s1"))
    down = await logistics_kernel(DownCarrier())
    with pytest.raises(CarrierUnavailable):
        await down.commands.send(create_shipment("s1"))
    for kernel in (refusing, down):
        assert await kernel.storage.last_position() == 0
        await kernel.close()


async def test_a_shipment_without_its_recipient_cannot_be_created() -> None:
    kernel = await logistics_kernel(RecordingCarrier())
    with pytest.raises(RuleViolation, match="erased"):
        await kernel.commands.send(create_shipment("s1", address=None))
    await kernel.close()


async def test_an_update_for_an_unknown_tracking_number_is_not_found() -> None:
    kernel = await logistics_kernel(SimulatedCarrier())
    with pytest.raises(NotFound):
        await kernel.commands.send(
            ApplyCarrierUpdate(
                tracking_number="SC-NOPE",
                update_id="u1",
                status="in_transit",
                occurred_at=kernel.clock.now(),
            )
        )
    await kernel.close()


async def test_the_shipments_read_model_answers_by_id_application_tracking_and_status() -> None:
    clock = ManualClock()
    carrier = SimulatedCarrier(CarrierBehaviour(return_rate=0.0))
    kernel = await logistics_kernel(carrier, clock)
    for n in range(3):
        await kernel.commands.send(create_shipment(f"s{n}"))
        clock.advance(timedelta(minutes=1))
    clock.advance(timedelta(days=30))
    await kernel.settle()

    view = await kernel.queries.ask(GetShipment(shipment_id="s1"))
    assert view is not None
    assert (view.application_id, view.card_id, view.status, view.final) == (
        "app-s1",
        "card-s1",
        "delivered",
        True,
    )
    assert view.delivered_at is not None
    assert view.history[0].status == "ordered"
    times = [entry.occurred_at for entry in view.history]
    assert times == sorted(times)
    applied = [entry.status for entry in view.history if entry.applied]
    assert applied[-1] == "delivered"
    assert view.tracking_number == tracking_number_for("s1", seed=carrier.behaviour.seed)
    by_app = await kernel.queries.ask(ListShipments(application_id="app-s2"))
    assert [each.shipment_id for each in by_app] == ["s2"]
    by_tracking = await kernel.queries.ask(ListShipments(tracking_number=view.tracking_number))
    assert [each.shipment_id for each in by_tracking] == ["s1"]
    delivered = await kernel.queries.ask(ListShipments(status="delivered"))
    assert [each.shipment_id for each in delivered] == ["s2", "s1", "s0"]  # newest first
    assert await kernel.queries.ask(GetShipment(shipment_id="nope")) is None
    await kernel.close()


async def test_after_erasure_the_label_and_address_read_as_nothing_and_tracking_goes_on() -> None:
    clock = ManualClock()
    kernel = await logistics_kernel(SimulatedCarrier(CarrierBehaviour(return_rate=0.0)), clock)
    await kernel.commands.send(create_shipment("s1"))
    await erase_subject(
        "subj-s1",
        reason="customer asked",
        keys=kernel.keys,
        storage=kernel.storage,
        codec=kernel.codec,
        clock=clock,
    )
    clock.advance(timedelta(days=30))
    await kernel.settle()
    [created, *_] = [
        (await kernel.codec.decode(record)).event
        for record in await kernel.storage.read_stream("shipment-s1")
    ]
    assert isinstance(created, ShipmentCreated)
    assert (created.recipient, created.address, created.label_pdf) == (None, None, None)
    view = await kernel.queries.ask(GetShipment(shipment_id="s1"))
    assert view is not None
    assert view.status == "delivered"
    await kernel.close()


async def test_the_carrier_comes_from_the_settings_and_an_http_carrier_needs_a_secret() -> None:
    simulated = carrier_from_settings(CarrierSettings(return_rate=0.5, seed=9))
    assert isinstance(simulated, SimulatedCarrier)
    assert (simulated.behaviour.return_rate, simulated.behaviour.seed) == (0.5, 9)
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        carrier_from_settings(CarrierSettings(carrier="http://127.0.0.1:9"))
    over_http = carrier_from_settings(
        CarrierSettings(carrier="http://127.0.0.1:9/", webhook_secret=SecretStr("s" * 20))
    )
    assert isinstance(over_http, HttpCarrier)
    await over_http.aclose()
    with pytest.raises(ValueError, match="simulated"):
        CarrierSettings(carrier="ftp://carrier")


def test_carrier_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_CARRIER_RETURN_RATE", "0.1")
    monkeypatch.setenv("JOURNEY_CARRIER_WEBHOOK_SECRET", "x" * 32)
    settings = CarrierSettings()
    assert settings.behaviour().return_rate == 0.1
    assert settings.secret_bytes() == b"x" * 32
    assert "x" * 32 not in repr(settings)


async def test_an_address_of_another_service_with_the_same_fields_is_taken_as_it_is() -> None:
    class PostalAddress(BaseModel):  # how issuance models an applicant's address
        model_config = ConfigDict(frozen=True)

        line1: str
        line2: str | None = None
        city: str
        region: str | None = None
        postal_code: str
        country: str

    theirs = PostalAddress(**ADDRESS.model_dump())
    command = create_shipment("s1", address=theirs)
    assert command.address == ADDRESS
    kernel = await logistics_kernel(SimulatedCarrier())
    assert (await kernel.commands.send(command)).value["status"] == "ordered"
    await kernel.close()
