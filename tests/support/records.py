"""Helpers to make records and ids in tests."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from journey.cqrs.ids import new_id
from journey.cqrs.records import NewEvent


def new_event(
    event_type: str = "Thing", data: dict[str, object] | None = None, **extra: object
) -> NewEvent:
    return NewEvent(
        event_id=str(extra.get("event_id") or new_id()),
        event_type=event_type,
        schema_version=1,
        data=orjson.dumps(data or {"n": 1}).decode(),
        time=datetime(2026, 1, 1, tzinfo=UTC),
        correlation_id=str(extra.get("correlation_id") or "corr"),
    )


def random_stream(prefix: str = "thing") -> str:
    return f"{prefix}-{new_id()}"
