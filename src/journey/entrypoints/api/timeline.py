"""A journey's timeline as it grows, with the log position of each entry: the source of the
`GET /applications/{id}/events` stream.

The entries are made by the `journey_status` projection's own code, fed this application's
events from the log in order (a fold over a scratch transaction that is never committed), so
the stream says exactly what `GET /applications/{id}` will say, entry for entry, and each
entry carries the position of the event behind it (what `Last-Event-ID` resumes from).

The fold starts from the stored `journeys` document (whose entries carry their positions) and
reads only the log past the projection's checkpoint; a document written before entries had
positions is folded from the application's first event instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from journey.command_side.issuance.application import Application
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.runtime import Kernel
from journey.onboarding.read_models import JOURNEYS, SAGA_PREFIX, JourneyStatus

PAGE = 500


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the timeline, the journey's status and stuck flag after it, and the log
    position of the event it records."""

    position: int
    entry: dict[str, Any]

    def as_json(self) -> bytes:
        return orjson.dumps(self.entry)


class JourneyTimeline:
    """Folds one application's events into timeline entries, from its first event on."""

    def __init__(self, kernel: Kernel, application_id: str) -> None:
        self._kernel = kernel
        self._application_id = application_id
        self._saga_stream = SAGA_PREFIX + application_id
        self._projection = JourneyStatus()
        self._types = self._projection.event_types
        self._document: dict[str, Any] | None = None
        self.cursor: int | None = None  # the log position read up to
        self._stored: list[TimelineEntry] = []  # the stored document's entries, sent first

    async def open(self) -> bool:
        """Find where the journey starts in the log; False when there is no such application."""
        storage = self._kernel.storage
        # The checkpoint first: the document read after it has applied at least that much.
        checkpoint = await storage.get_checkpoint(self._projection.name)
        stored = await storage.get_document(JOURNEYS, self._application_id)
        if stored is not None and _positioned(stored):
            self._document = stored
            self._stored = [TimelineEntry(entry["position"], entry) for entry in stored["timeline"]]
            # Past both: nothing of this journey lies between its last entry and the checkpoint.
            self.cursor = max(checkpoint, int(stored["position"]))
            return True
        first = await storage.read_stream(Application.stream_id_for(self._application_id), limit=1)
        if not first:
            return False
        self.cursor = first[0].position - 1
        return True

    async def next_entries(self) -> list[TimelineEntry]:
        """The entries of the events appended since the last call (at most one page of log)."""
        assert self.cursor is not None, "open() first"
        if self._stored:
            stored, self._stored = self._stored, []
            return stored
        storage = self._kernel.storage
        head = await storage.last_position()
        if head <= self.cursor:
            return []
        records = await storage.read_all(
            after_position=self.cursor, limit=PAGE, event_types=self._types
        )
        records = [record for record in records if record.position <= head]
        # A full page may stop short of the head; otherwise everything up to it has been seen.
        self.cursor = records[-1].position if len(records) == PAGE else head
        entries = []
        for record in records:
            if not self._mine(record.stream_id, record.data):
                continue
            envelope = await self._kernel.codec.decode(record)
            tx = ConsumerTransaction(storage, self._kernel.codec, self._kernel.clock)
            tx.clear(JOURNEYS)  # never read the stored row: the fold starts from nothing
            if self._document is not None:
                tx.put(JOURNEYS, self._application_id, self._document)
            await self._projection.handle(envelope, tx)
            document = await tx.get(JOURNEYS, self._application_id)
            if document is None or len(document["timeline"]) == len(
                (self._document or {}).get("timeline", [])
            ):
                continue
            self._document = document
            entries.append(
                TimelineEntry(
                    record.position,
                    {
                        **document["timeline"][-1],
                        "position": record.position,
                        "status": document["status"],
                        "stuck": document["stuck"],
                        "done": document["done"],
                    },
                )
            )
        return entries

    def _mine(self, stream_id: str, data: str) -> bool:
        if stream_id == self._saga_stream:
            return True
        if self._application_id not in data:  # cheap test before parsing
            return False
        return bool(orjson.loads(data).get("application_id") == self._application_id)


def _positioned(document: dict[str, Any]) -> bool:
    """Whether a stored journey records the positions the stream needs (newer documents do)."""
    return "position" in document and all(
        "position" in entry for entry in document.get("timeline", [])
    )
