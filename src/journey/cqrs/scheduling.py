"""Building scheduled messages: a command to send, or an event to append, at a given time.

The rows these return are added to the commit that decided them (a saga step, a handler that
sets a deadline), so the decision and its follow-up are written together or not at all; the
`Scheduler` delivers them when due.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from journey.cqrs.context import MessageContext
from journey.cqrs.ids import new_id
from journey.cqrs.messages import Command, Event
from journey.cqrs.serialization import EventCodec
from journey.cqrs.store.model import ScheduledMessage


async def schedule_command(
    codec: EventCodec,
    command: Command,
    *,
    due_at: datetime,
    now: datetime,
    context: MessageContext,
    message_id: str | None = None,
    reply_to: str | None = None,
    tag: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> ScheduledMessage:
    """A row that sends `command` at `due_at`; add it to the commit that decided so."""
    return ScheduledMessage(
        id=message_id or new_id(),
        due_at=due_at,
        kind="command",
        message_type=command.command_type,
        payload=await codec.encode_message(command),
        correlation_id=context.correlation_id,
        created_at=now,
        reply=_reply(reply_to, tag),
        causation_id=context.message_id,
        traceparent=context.traceparent,
        idempotency_key=idempotency_key,
    )


async def schedule_event(
    codec: EventCodec,
    event: Event,
    *,
    stream_id: str,
    due_at: datetime,
    now: datetime,
    context: MessageContext,
    message_id: str | None = None,
) -> ScheduledMessage:
    """A row that appends `event` to `stream_id` at `due_at` (a timer)."""
    return ScheduledMessage(
        id=message_id or new_id(),
        due_at=due_at,
        kind="event",
        message_type=event.event_type,
        payload=orjson.dumps(
            {"schema_version": event.schema_version, "data": orjson.loads(event.model_dump_json())}
        ).decode(),
        correlation_id=context.correlation_id,
        created_at=now,
        stream_id=stream_id,
        causation_id=context.message_id,
        traceparent=context.traceparent,
    )


def _reply(reply_to: str | None, tag: Mapping[str, Any] | None) -> str | None:
    if reply_to is None:
        return None
    return orjson.dumps({"stream_id": reply_to, "tag": dict(tag or {})}).decode()
