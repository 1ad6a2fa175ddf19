"""Subject names and NATS-style matching (`*` one token, `>` one or more trailing tokens)."""

from __future__ import annotations

from journey.cqrs.records import StoredEvent

DEFAULT_PREFIX = "journey.events"


def subject_for(record: StoredEvent, prefix: str = DEFAULT_PREFIX) -> str:
    """`<prefix>.<stream category>.<event type>`: subscribers filter by category or type."""
    category = record.stream_id.split("-", 1)[0]
    return f"{prefix}.{_token(category)}.{record.event_type}"


def subject_matches(pattern: str, subject: str) -> bool:
    wanted = pattern.split(".")
    actual = subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(actual) > index
        if index >= len(actual):
            return False
        if token != "*" and token != actual[index]:
            return False
    return len(wanted) == len(actual)


def _token(text: str) -> str:
    # A category becomes one or more subject tokens; NATS forbids spaces and wildcards in them.
    return "".join("_" if c in " *>\t" else c for c in text) or "_"
