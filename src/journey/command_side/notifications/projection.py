"""Read model `notifications`: per application, each milestone's channels and how they went.

Holds ids, milestones, channels, outcomes and times only: no name, address or number, so it needs
nothing done when a customer is erased.
"""

from __future__ import annotations

from typing import Any, ClassVar

from journey.command_side.notifications.messages import (
    NotificationFailed,
    NotificationQueued,
    NotificationSent,
)
from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event, Query
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope

COLLECTION = "notifications"


class NotificationsView(Projection):
    """One document per application (key: application_id).

    `milestones[m]` = {message_id, channels, queued_at, status, sent: {channel: time},
    failed: {channel: {reason, at}}}; status is `queued` until every channel has an outcome, then
    `sent` (at least one channel delivered) or `failed`.
    """

    name = "notifications"
    collections = (COLLECTION,)
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        {
            NotificationQueued.event_type,
            NotificationSent.event_type,
            NotificationFailed.event_type,
        }
    )

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        at = envelope.time.isoformat()
        match event:
            case NotificationQueued():
                document = await self._document(tx, event.application_id)
                document["milestones"][event.milestone] = {
                    "message_id": event.message_id,
                    "channels": list(event.channels),
                    "queued_at": event.queued_at.isoformat(),
                    "status": "queued",
                    "sent": {},
                    "failed": {},
                }
                self._save(tx, document, event.milestone, at)
            case NotificationSent() | NotificationFailed():
                document = await self._document(tx, event.application_id)
                milestone = document["milestones"].get(event.milestone)
                if milestone is None:
                    return  # a log that lost its queued event: nothing sensible to show
                if isinstance(event, NotificationSent):
                    milestone["sent"][event.channel] = at
                else:
                    milestone["failed"][event.channel] = {"reason": event.reason, "at": at}
                milestone["status"] = _status(milestone)
                self._save(tx, document, event.milestone, at)

    @staticmethod
    async def _document(tx: ConsumerTransaction, application_id: str) -> dict[str, Any]:
        found = await tx.get(COLLECTION, application_id)
        if found is not None:
            return dict(found)
        return {"application_id": application_id, "milestones": {}}

    @staticmethod
    def _save(tx: ConsumerTransaction, document: dict[str, Any], milestone: str, at: str) -> None:
        document["last_milestone"] = milestone
        document["updated_at"] = at
        tx.put(COLLECTION, document["application_id"], document)


def _status(milestone: dict[str, Any]) -> str:
    ended = set(milestone["sent"]) | set(milestone["failed"])
    if not set(milestone["channels"]) <= ended:
        return "queued"
    return "sent" if milestone["sent"] else "failed"


class GetNotifications(Query[dict[str, Any] | None]):
    """The `notifications` document of one application, or None if nothing was queued."""

    application_id: str


async def get_notifications(query: GetNotifications, read: ReadModels) -> dict[str, Any] | None:
    return await read.get(COLLECTION, query.application_id)
