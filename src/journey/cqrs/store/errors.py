"""Why a commit was refused. Each refusal names what it refused, so callers can act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journey.cqrs.store.model import IdempotencyRecord


class StoreError(Exception):
    """Something went wrong in the store itself."""


class StoreUnavailable(StoreError):
    """The store could not be reached or is closed; the commit may be retried."""


class CommitRejected(StoreError):
    """A precondition of the commit did not hold; nothing of the commit was written."""


class ConcurrencyError(CommitRejected):
    """Someone else appended to the stream since it was read (optimistic concurrency)."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, but version {expected} was expected"
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class DuplicateEventId(CommitRejected):
    """An event with this id is already in the log (appends are idempotent by event id)."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id} is already in the log")
        self.event_id = event_id


class DuplicateIdempotencyKey(CommitRejected):
    """A command with this idempotency key was already committed; `existing` is its record."""

    def __init__(self, existing: IdempotencyRecord) -> None:
        super().__init__(f"idempotency key {existing.key!r} was already used")
        self.existing = existing


class AlreadyProcessed(CommitRejected):
    """The consumer already recorded this message id in its inbox."""

    def __init__(self, consumer: str, message_id: str) -> None:
        super().__init__(f"{consumer} already processed message {message_id}")
        self.consumer = consumer
        self.message_id = message_id


class CheckpointConflict(CommitRejected):
    """Another runner moved the checkpoint since it was read."""

    def __init__(self, name: str, expected: int, actual: int) -> None:
        super().__init__(f"checkpoint {name!r} is at {actual}, but {expected} was expected")
        self.name = name
        self.expected = expected
        self.actual = actual


class ScheduledMessageGone(CommitRejected):
    """The scheduled message is no longer pending (already fired, cancelled or dead-lettered)."""

    def __init__(self, message_id: str) -> None:
        super().__init__(f"scheduled message {message_id} is no longer pending")
        self.message_id = message_id


class DeadLetterConflict(CommitRejected):
    """The dead letter is missing or not in the status the update expected."""

    def __init__(self, dead_letter_id: str, expected: str, actual: str | None) -> None:
        super().__init__(
            f"dead letter {dead_letter_id} is {actual or 'missing'}, expected {expected}"
        )
        self.dead_letter_id = dead_letter_id
        self.expected = expected
        self.actual = actual
