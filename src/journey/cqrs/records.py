"""The serialized shapes of events: what is appended, what is stored, and its CloudEvents form.

The store deals only in these records; turning them into typed domain events (upcasting,
decryption, validation) is the job of `journey.cqrs.serialization`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import orjson

SPEC_VERSION = "1.0"
DEFAULT_SOURCE = "urn:journey"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event ready to append: serialized payload plus its envelope attributes."""

    event_id: str
    event_type: str
    schema_version: int
    data: str  # JSON document
    time: datetime  # when it happened (CloudEvents `time`)
    correlation_id: str
    causation_id: str | None = None
    traceparent: str | None = None
    source: str = DEFAULT_SOURCE
    subject: str | None = None
    partition_key: str | None = None  # defaults to the stream id


class ReplayRecord(NamedTuple):
    """The part of a stored event that rebuilding an aggregate or a saga needs: reading only
    these columns makes replays noticeably cheaper than reading whole envelopes."""

    stream_version: int
    event_type: str
    schema_version: int
    data: str


class StoredEvent(NamedTuple):
    """An event as recorded in the log, with its place in its stream and in the whole log.

    A named tuple because the log is read in bulk: it builds several times faster than a frozen
    dataclass and is just as immutable.
    """

    position: int
    stream_id: str
    stream_version: int
    event_id: str
    event_type: str
    schema_version: int
    data: str
    time: datetime
    recorded_at: datetime
    correlation_id: str
    causation_id: str | None
    traceparent: str | None
    source: str
    subject: str | None
    partition_key: str | None

    @property
    def effective_partition_key(self) -> str:
        return self.partition_key or self.stream_id

    def to_cloudevent(self) -> dict[str, Any]:
        """The CloudEvents 1.0 structured-mode representation (JSON-ready)."""
        event: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.event_id,
            "source": self.source,
            "type": self.event_type,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "dataschema": f"urn:journey:schema:{self.event_type}:{self.schema_version}",
            "correlationid": self.correlation_id,
            "partitionkey": self.effective_partition_key,
            "streamid": self.stream_id,
            "streamversion": self.stream_version,
            "position": self.position,
            "schemaversion": self.schema_version,
            "recordedtime": self.recorded_at.isoformat(),
            "data": orjson.loads(self.data),
        }
        if self.subject is not None:
            event["subject"] = self.subject
        if self.causation_id is not None:
            event["causationid"] = self.causation_id
        if self.traceparent is not None:
            event["traceparent"] = self.traceparent
        return event

    @classmethod
    def from_cloudevent(cls, event: dict[str, Any]) -> StoredEvent:
        """Rebuild a stored event from its CloudEvents form (what a broker delivers)."""
        try:
            return cls(
                position=int(event["position"]),
                stream_id=str(event["streamid"]),
                stream_version=int(event["streamversion"]),
                event_id=str(event["id"]),
                event_type=str(event["type"]),
                schema_version=int(event["schemaversion"]),
                data=orjson.dumps(event["data"]).decode(),
                time=datetime.fromisoformat(event["time"]),
                recorded_at=datetime.fromisoformat(event["recordedtime"]),
                correlation_id=str(event["correlationid"]),
                causation_id=event.get("causationid"),
                traceparent=event.get("traceparent"),
                source=str(event["source"]),
                subject=event.get("subject"),
                partition_key=event.get("partitionkey"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a Customer Journey CloudEvent: {error}") from error
