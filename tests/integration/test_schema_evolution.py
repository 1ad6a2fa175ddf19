"""Events written by older code are read by newer code through upcasters, from a real store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event
from journey.cqrs.module import Module
from journey.cqrs.projections import Projection
from journey.cqrs.records import NewEvent
from journey.cqrs.serialization import Envelope, EventRegistry
from journey.cqrs.store.model import ANY_VERSION
from tests.conftest import make_storage
from tests.support.kernel import kernel_on


class ShipmentDispatched(Event):
    """v2 added the carrier; v1 events were all shipped with the house carrier."""

    schema_version = 2
    shipment_id: str
    carrier: str


def install_upcasters(registry: EventRegistry) -> None:
    @registry.upcaster("ShipmentDispatched", from_version=1)
    def add_carrier(payload: dict[str, object]) -> dict[str, object]:
        return {**payload, "carrier": "house"}

    registry.rename("ParcelSent", "ShipmentDispatched")


class Carriers(Projection):
    name = "carriers"
    collections = ("carriers",)
    event_types: ClassVar[frozenset[str] | None] = frozenset({"ShipmentDispatched", "ParcelSent"})

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        assert isinstance(event, ShipmentDispatched)
        tx.put("carriers", event.shipment_id, {"carrier": event.carrier})


def old_record(event_type: str, version: int, data: dict[str, str]) -> NewEvent:
    from journey.cqrs.ids import new_id

    return NewEvent(
        event_id=new_id(),
        event_type=event_type,
        schema_version=version,
        data=orjson.dumps(data).decode(),
        time=datetime(2025, 1, 1, tzinfo=UTC),
        correlation_id="old",
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_events_stored_as_v1_or_under_an_old_name_are_read_as_the_current_v2(
    kind: str, tmp_path: Path
) -> None:
    storage = await make_storage(kind, tmp_path)
    await storage.append(
        "shipment-1", ANY_VERSION, [old_record("ShipmentDispatched", 1, {"shipment_id": "s1"})]
    )
    await storage.append(
        "shipment-2", ANY_VERSION, [old_record("ParcelSent", 1, {"shipment_id": "s2"})]
    )
    module = Module(
        name="shipping",
        events=[ShipmentDispatched],
        projections=[Carriers()],
        upcasters=[install_upcasters],
    )
    kernel = await kernel_on(storage, modules=[module])
    assert kernel.registry.missing_upcasters() == []
    first = await kernel.codec.decode((await storage.read_stream("shipment-1"))[0])
    assert first.event == ShipmentDispatched(shipment_id="s1", carrier="house")
    await kernel.projections.rebuild("carriers")
    assert await storage.get_document("carriers", "s2") == {"carrier": "house"}
    await kernel.close()
