"""From typed events to stored records and back: registry, upcasters, personal-data encryption.

Reading a stored event:
1. decrypt personal fields (markers are self-describing; a shredded subject's fields become None),
2. follow renames and run upcasters `vN -> vN+1` until the payload has the current shape,
3. validate it into the registered event class.
An unknown type or a missing upcaster is a clear error, never a silent drop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

import orjson
from pydantic import ValidationError

from journey.cqrs.context import MessageContext
from journey.cqrs.messages import DataSubjectId, Event, Message, PersonalData
from journey.cqrs.privacy.cipher import FieldCipher, is_encrypted
from journey.cqrs.privacy.keystore import KeyStore
from journey.cqrs.records import DEFAULT_SOURCE, NewEvent, ReplayRecord, StoredEvent

E = TypeVar("E", bound=Event)
M = TypeVar("M", bound=Message)
Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class UnknownEventType(LookupError):
    """A stored event's type is not registered: the code that reads it does not know it."""

    def __init__(self, event_type: str) -> None:
        super().__init__(
            f"event type {event_type!r} is not registered; register its class (or a rename)"
        )
        self.event_type = event_type


class EventDecodeError(ValueError):
    """A stored event could not be turned into its current class."""


@dataclass(frozen=True, slots=True)
class PersonalFields:
    """Which fields of a message class are personal, and which field names their subject."""

    names: tuple[str, ...]
    subject_field: str | None


@dataclass(frozen=True, slots=True)
class EventSchema:
    """What the registry knows of one event class."""

    cls: type[Event]
    personal: PersonalFields


class Envelope(NamedTuple, Generic[E]):
    """A decoded event with the record it came from (position, stream, ids, trace...)."""

    event: E
    record: StoredEvent
    redacted: frozenset[str] = frozenset()  # personal fields erased by shredding

    @property
    def event_id(self) -> str:
        return self.record.event_id

    @property
    def position(self) -> int:
        return self.record.position

    @property
    def stream_id(self) -> str:
        return self.record.stream_id

    @property
    def stream_version(self) -> int:
        return self.record.stream_version

    @property
    def time(self) -> datetime:
        return self.record.time


class EventRegistry:
    """The event types this process knows, with their upcasters and renames."""

    def __init__(self) -> None:
        self._schemas: dict[str, EventSchema] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._renames: dict[str, str] = {}

    def register(self, *classes: type[Event]) -> None:
        for cls in classes:
            existing = self._schemas.get(cls.event_type)
            if existing is not None and existing.cls is not cls:
                raise ValueError(
                    f"event type {cls.event_type!r} is already registered by "
                    f"{existing.cls.__module__}.{existing.cls.__qualname__}"
                )
            self._schemas[cls.event_type] = EventSchema(cls, personal_fields_of(cls))

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register `fn(payload) -> payload` turning version `from_version` into the next one."""

        def decorate(fn: Upcaster) -> Upcaster:
            key = (event_type, from_version)
            if key in self._upcasters:
                raise ValueError(f"{event_type} already has an upcaster from v{from_version}")
            self._upcasters[key] = fn
            return fn

        return decorate

    def rename(self, old_type: str, new_type: str) -> None:
        """Read events stored as `old_type` as `new_type` (versions continue across the rename)."""
        if old_type in self._schemas:
            raise ValueError(f"{old_type!r} is still registered; a rename needs the new name")
        self._renames[old_type] = new_type

    def schema(self, event_type: str) -> EventSchema:
        seen = {event_type}
        while event_type in self._renames:
            event_type = self._renames[event_type]
            if event_type in seen:
                raise ValueError(f"event renames form a cycle at {event_type!r}")
            seen.add(event_type)
        found = self._schemas.get(event_type)
        if found is None:
            raise UnknownEventType(event_type)
        return found

    def is_known(self, event_type: str) -> bool:
        try:
            self.schema(event_type)
        except UnknownEventType:
            return False
        return True

    def types(self) -> list[str]:
        return sorted(self._schemas)

    def missing_upcasters(self) -> list[str]:
        """Every `type vN` with no way to reach the current version (checked by the tests)."""
        missing = []
        for event_type, schema in self._schemas.items():
            for version in range(1, schema.cls.schema_version):
                if (event_type, version) not in self._upcasters:
                    missing.append(f"{event_type} v{version}")
        return missing

    def upcast(self, event_type: str, version: int, payload: Payload) -> Payload:
        """Bring `payload` stored at `version` up to the registered class's version."""
        schema = self.schema(event_type)
        current = schema.cls.schema_version
        if version > current:
            raise EventDecodeError(
                f"{event_type} v{version} is newer than this code knows (v{current})"
            )
        for step in range(version, current):
            upcaster = self._upcasters.get((schema.cls.event_type, step))
            if upcaster is None:
                raise EventDecodeError(
                    f"no upcaster turns {schema.cls.event_type} v{step} into v{step + 1}"
                )
            payload = upcaster(payload)
        return payload


class EventCodec:
    """Turns events into `NewEvent` records and `StoredEvent`s back into envelopes."""

    def __init__(
        self,
        registry: EventRegistry,
        keys: KeyStore | None = None,
        *,
        source: str = DEFAULT_SOURCE,
    ) -> None:
        self.registry = registry
        self._keys = keys
        self._cipher = FieldCipher()
        self._source = source
        # (stored type, stored version) -> class, for records that need no upcast or decryption
        self._fast: dict[tuple[str, int], type[Event]] = {}
        self._plain: set[type[Event]] = set()  # registered classes without personal fields

    async def encode(
        self,
        event: Event,
        *,
        event_id: str,
        time: datetime,
        context: MessageContext,
        subject: str | None = None,
        partition_key: str | None = None,
    ) -> NewEvent:
        cls = type(event)
        if cls in self._plain:
            data = event.model_dump_json()
        else:
            schema = self.registry.schema(event.event_type)
            if schema.cls is not cls:
                raise TypeError(f"{cls.__qualname__} is not the registered {event.event_type}")
            if schema.personal.names:
                data = await self._encrypted_json(event, schema.personal)
            else:
                self._plain.add(cls)
                data = event.model_dump_json()
        return NewEvent(
            event_id=event_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            data=data,
            time=time,
            correlation_id=context.correlation_id,
            causation_id=context.message_id,
            traceparent=context.traceparent,
            source=self._source,
            subject=subject,
            partition_key=partition_key,
        )

    async def decode(self, record: StoredEvent) -> Envelope[Event]:
        fast = self._fast.get((record.event_type, record.schema_version))
        if fast is not None:
            try:
                return Envelope(fast.model_validate_json(record.data), record)
            except ValidationError as error:
                raise _decode_error(record, fast, error) from error
        return await self._decode_slowly(record)

    async def decode_event(self, record: StoredEvent | ReplayRecord) -> Event:
        """Just the event, no envelope: the replay path of aggregates and sagas."""
        fast = self._fast.get((record.event_type, record.schema_version))
        if fast is not None:
            try:
                return fast.model_validate_json(record.data)
            except ValidationError as error:
                raise _decode_error(record, fast, error) from error
        if isinstance(record, StoredEvent):
            return (await self._decode_slowly(record)).event
        event, _ = await self._decode_payload(record)
        return event

    async def _decode_slowly(self, record: StoredEvent) -> Envelope[Event]:
        event, redacted = await self._decode_payload(record)
        return Envelope(event, record, redacted)

    async def _decode_payload(
        self, record: StoredEvent | ReplayRecord
    ) -> tuple[Event, frozenset[str]]:
        schema = self.registry.schema(record.event_type)
        cls = schema.cls
        if (
            record.event_type == cls.event_type
            and record.schema_version == cls.schema_version
            and not schema.personal.names
        ):
            # Remember that this (type, version) needs no upcast or decryption.
            self._fast[(record.event_type, record.schema_version)] = cls
        try:
            payload: Payload = orjson.loads(record.data)
            redacted = await self._decrypt(payload)
            payload = self.registry.upcast(record.event_type, record.schema_version, payload)
            return cls.model_validate(payload), frozenset(redacted)
        except (ValidationError, orjson.JSONDecodeError, KeyError, TypeError) as error:
            raise _decode_error(record, cls, error) from error

    async def decode_all(self, records: Iterable[StoredEvent]) -> list[Envelope[Event]]:
        return [await self.decode(record) for record in records]

    async def encode_message(self, message: Message) -> str:
        """JSON of any message (e.g. a scheduled command), its personal fields encrypted."""
        personal = personal_fields_of(type(message))
        if not personal.names:
            return message.model_dump_json()
        return await self._encrypted_json(message, personal)

    async def decode_message(self, cls: type[M], data: str) -> M:
        """The inverse of `encode_message`; shredded personal fields come back as None."""
        payload: Payload = orjson.loads(data)
        await self._decrypt(payload)
        return cls.model_validate(payload)

    async def _encrypted_json(self, message: Message, personal: PersonalFields) -> str:
        if self._keys is None:
            raise RuntimeError(
                f"{type(message).__qualname__} has personal fields but the codec has no key store"
            )
        assert personal.subject_field is not None  # checked when the fields were read
        payload = message.model_dump(mode="json")
        subject = str(payload[personal.subject_field])
        key = await self._keys.key_for(subject)
        for name in personal.names:
            if payload[name] is not None:
                payload[name] = self._cipher.encrypt(key, subject, name, payload[name])
        return orjson.dumps(payload).decode()

    async def _decrypt(self, payload: Payload) -> list[str]:
        redacted = []
        keys: dict[str, bytes | None] = {}
        for name, value in payload.items():
            if not is_encrypted(value):
                continue
            subject = self._cipher.subject_of(value)
            if subject not in keys:
                keys[subject] = (
                    None if self._keys is None else await self._keys.existing_key(subject)
                )
            key = keys[subject]
            if key is None:
                payload[name] = None
                redacted.append(name)
            else:
                payload[name] = self._cipher.decrypt(key, name, value)
        return redacted


def _decode_error(
    record: StoredEvent | ReplayRecord, cls: type[Event], error: Exception
) -> EventDecodeError:
    where = (
        f"event {record.event_id} at position {record.position}"
        if isinstance(record, StoredEvent)
        else f"the event at stream version {record.stream_version}"
    )
    return EventDecodeError(
        f"{where} ({record.event_type} v{record.schema_version}) does not fit "
        f"{cls.__qualname__}: {error}"
    )


@functools.cache
def personal_fields_of(cls: type[Message]) -> PersonalFields:
    """Read the `Personal` and `DataSubject` markers of a message class (cached)."""
    personal: list[str] = []
    subject: list[str] = []
    for name, info in cls.model_fields.items():
        metadata = info.metadata
        if any(isinstance(item, PersonalData) for item in metadata):
            personal.append(name)
        if any(isinstance(item, DataSubjectId) for item in metadata):
            subject.append(name)
    if len(subject) > 1:
        raise TypeError(f"{cls.__qualname__} names more than one DataSubject field: {subject}")
    if personal and not subject:
        raise TypeError(
            f"{cls.__qualname__} has personal fields {personal} but no DataSubject field to "
            "say whose key encrypts them"
        )
    return PersonalFields(tuple(personal), subject[0] if subject else None)
