"""Events round-trip through the codec; old shapes are upcast; personal data is encrypted."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from journey.cqrs.context import MessageContext
from journey.cqrs.messages import DataSubject, Event, Personal
from journey.cqrs.privacy.keystore import MemoryKeyStore, SubjectErasedError
from journey.cqrs.records import NewEvent, StoredEvent
from journey.cqrs.serialization import (
    EventCodec,
    EventDecodeError,
    EventRegistry,
    UnknownEventType,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def stored(new: NewEvent, position: int = 1) -> StoredEvent:
    return StoredEvent(
        position, "thing-1", position, new.event_id, new.event_type, new.schema_version,
        new.data, new.time, NOW, new.correlation_id, new.causation_id, new.traceparent,
        new.source, new.subject, new.partition_key,
    )  # fmt: skip


def raw(event_type: str, version: int, data: dict[str, object]) -> StoredEvent:
    return StoredEvent(
        1, "thing-1", 1, "e-1", event_type, version, orjson.dumps(data).decode(), NOW, NOW,
        "c", None, None, "urn:test", None, None,
    )  # fmt: skip


class CardOrdered(Event):
    """Version 2: the name was split into first and last name."""

    schema_version = 2
    card_id: str
    first_name: str
    last_name: str


class CustomerRegistered(Event):
    customer_id: DataSubject
    full_name: Personal[str]
    national_id: Personal[str]
    segment: str


def registry() -> EventRegistry:
    reg = EventRegistry()
    reg.register(CardOrdered, CustomerRegistered)

    @reg.upcaster("CardOrdered", from_version=1)
    def split_name(payload: dict[str, object]) -> dict[str, object]:
        first, _, last = str(payload.pop("name")).partition(" ")
        return {**payload, "first_name": first, "last_name": last}

    return reg


async def test_an_event_round_trips_with_its_envelope() -> None:
    codec = EventCodec(registry())
    context = MessageContext.root()
    new = await codec.encode(
        CardOrdered(card_id="c1", first_name="Ana", last_name="Díaz"),
        event_id="e1",
        time=NOW,
        context=context,
    )
    assert new.causation_id == context.message_id
    assert new.correlation_id == context.correlation_id
    envelope = await codec.decode(stored(new))
    assert envelope.event == CardOrdered(card_id="c1", first_name="Ana", last_name="Díaz")
    assert envelope.redacted == frozenset()


async def test_an_upcaster_reads_a_version_one_event_as_version_two() -> None:
    codec = EventCodec(registry())
    envelope = await codec.decode(raw("CardOrdered", 1, {"card_id": "c1", "name": "Ana Díaz"}))
    assert envelope.event == CardOrdered(card_id="c1", first_name="Ana", last_name="Díaz")


async def test_a_missing_upcaster_is_a_clear_error_and_is_reported_by_the_registry() -> None:
    reg = EventRegistry()
    reg.register(CardOrdered)
    assert reg.missing_upcasters() == ["CardOrdered v1"]
    with pytest.raises(EventDecodeError, match="no upcaster turns CardOrdered v1"):
        await EventCodec(reg).decode(raw("CardOrdered", 1, {"card_id": "c1", "name": "A B"}))
    assert registry().missing_upcasters() == []


async def test_an_unknown_event_type_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(UnknownEventType, match="NeverHeardOf"):
        await EventCodec(registry()).decode(raw("NeverHeardOf", 1, {}))


async def test_a_payload_that_no_longer_fits_its_class_names_the_event() -> None:
    with pytest.raises(EventDecodeError, match="position 1"):
        await EventCodec(registry()).decode(raw("CardOrdered", 2, {"card_id": 5}))


async def test_a_renamed_event_is_read_under_its_new_name() -> None:
    reg = registry()
    reg.rename("CardRequested", "CardOrdered")
    envelope = await EventCodec(reg).decode(
        raw("CardRequested", 2, {"card_id": "c", "first_name": "A", "last_name": "B"})
    )
    assert isinstance(envelope.event, CardOrdered)
    with pytest.raises(ValueError, match="still registered"):
        reg.rename("CardOrdered", "Other")


def test_registering_two_classes_under_one_type_is_refused() -> None:
    class Duplicate(Event):
        event_type = "CardOrdered"

    with pytest.raises(ValueError, match="already registered"):
        registry().register(Duplicate)


def test_personal_fields_without_a_data_subject_are_refused() -> None:
    class Leaky(Event):
        name: Personal[str]

    with pytest.raises(TypeError, match="no DataSubject"):
        EventRegistry().register(Leaky)


async def encoded_customer() -> tuple[MemoryKeyStore, EventCodec, CustomerRegistered, NewEvent]:
    keys = MemoryKeyStore()
    codec = EventCodec(registry(), keys)
    event = CustomerRegistered(
        customer_id="cust-1", full_name="María Pérez", national_id="12345678-9", segment="gold"
    )
    new = await codec.encode(event, event_id="e", time=NOW, context=MessageContext.root())
    return keys, codec, event, new


async def test_personal_fields_are_stored_encrypted_and_read_back_in_clear() -> None:
    _, codec, event, new = await encoded_customer()
    assert "María" not in new.data
    assert "12345678" not in new.data
    assert "gold" in new.data
    assert (await codec.decode(stored(new))).event == event


async def test_a_shredded_subject_reads_back_with_personal_fields_erased() -> None:
    keys, codec, event, new = await encoded_customer()
    await keys.shred("cust-1")
    envelope = await codec.decode(stored(new))
    assert envelope.event == CustomerRegistered(
        customer_id="cust-1", full_name=None, national_id=None, segment="gold"
    )
    assert envelope.redacted == frozenset({"full_name", "national_id"})
    with pytest.raises(SubjectErasedError):
        await codec.encode(event, event_id="e2", time=NOW, context=MessageContext.root())


async def test_a_ciphertext_moved_to_another_field_fails_authentication() -> None:
    _, codec, _, new = await encoded_customer()
    payload = orjson.loads(new.data)
    payload["full_name"], payload["national_id"] = payload["national_id"], payload["full_name"]
    tampered = stored(new)._replace(data=orjson.dumps(payload).decode())
    with pytest.raises(ValueError, match="failed authentication"):
        await codec.decode(tampered)
