"""Dead letters: what consumers could not process, parked in order, listable and redrivable.

Events are parked per consumer and *sequence* (by default the stream): once one event of a
sequence is parked, later events of the same sequence wait behind it, so a redrive after a fix
replays them in their original order. The event stays in the log; a redrive reads it again with
the current code, upcasters included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import datetime

import orjson

from journey.cqrs.store.model import Commit, DeadLetterStatus, DeadLetterUpdate, ScheduledMessage
from journey.cqrs.store.port import Storage

WAITING = "waiting behind an earlier dead letter of the same sequence"
SCHEDULER = "scheduler"  # the consumer name of scheduled messages that could not be delivered


def event_letter_id(consumer: str, event_id: str) -> str:
    return f"{consumer}:{event_id}"


def command_letter_id(scheduled_id: str) -> str:
    return f"{SCHEDULER}:{scheduled_id}"


class DeadLetterNotFound(LookupError):
    pass


async def request_redrive(storage: Storage, ids: Iterable[str]) -> list[str]:
    """Ask for the given parked letters to be processed again, with the letters of the same
    sequence waiting behind them. Returns every letter id now queued for redrive."""
    commit = Commit()
    queued: list[str] = []
    for letter_id in ids:
        letter = await storage.get_dead_letter(letter_id)
        if letter is None:
            raise DeadLetterNotFound(f"no dead letter {letter_id}")
        if letter.status is not DeadLetterStatus.PARKED or letter_id in queued:
            continue
        followers = []
        if letter.kind == "event" and letter.sequence_key is not None:
            followers = [
                other
                for other in await storage.list_dead_letters(
                    consumer=letter.consumer, statuses=[DeadLetterStatus.PARKED], limit=10_000
                )
                if other.sequence_key == letter.sequence_key
                and other.id not in queued
                and other.id != letter.id
                and (other.position or 0) > (letter.position or 0)
            ]
        for target in [letter, *followers]:
            commit.dead_letter_updates.append(
                DeadLetterUpdate(
                    target.id, DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED
                )
            )
            queued.append(target.id)
        if letter.consumer == SCHEDULER:
            # The scheduler delivers it again at once and resolves the letter when it succeeds.
            message = scheduled_from_json(letter.payload)
            commit.schedule.append(_fresh(message))
    if not commit.is_empty():
        await storage.commit(commit)
    return queued


async def discard(storage: Storage, ids: Iterable[str]) -> list[str]:
    """Give up on parked letters for good (an operator's decision, kept for audit)."""
    commit = Commit()
    discarded = []
    for letter_id in ids:
        letter = await storage.get_dead_letter(letter_id)
        if letter is None:
            raise DeadLetterNotFound(f"no dead letter {letter_id}")
        if letter.status is DeadLetterStatus.PARKED:
            commit.dead_letter_updates.append(
                DeadLetterUpdate(letter_id, DeadLetterStatus.PARKED, DeadLetterStatus.DISCARDED)
            )
            discarded.append(letter_id)
    if discarded:
        await storage.commit(commit)
    return discarded


def _fresh(message: ScheduledMessage) -> ScheduledMessage:
    return replace(message, attempts=0, last_error=None)


def scheduled_to_json(message: ScheduledMessage) -> str:
    """A scheduled message as JSON, kept in its dead letter so a redrive can schedule it again."""
    fields = asdict(message)
    fields["due_at"] = message.due_at.isoformat()
    fields["created_at"] = message.created_at.isoformat()
    return orjson.dumps(fields).decode()


def scheduled_from_json(payload: str) -> ScheduledMessage:
    fields = orjson.loads(payload)
    fields["due_at"] = datetime.fromisoformat(fields["due_at"])
    fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    return ScheduledMessage(**fields)
