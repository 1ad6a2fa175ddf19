"""Broker subjects match like NATS: `*` is one token, `>` is the rest."""

from __future__ import annotations

import pytest

from journey.cqrs.broker.subjects import subject_for, subject_matches
from tests.support.records import new_event


@pytest.mark.parametrize(
    ("pattern", "subject", "matches"),
    [
        ("journey.events.>", "journey.events.account.MoneyDeposited", True),
        ("journey.events.>", "journey.events", False),
        ("journey.events.account.*", "journey.events.account.MoneyDeposited", True),
        ("journey.events.*.MoneyDeposited", "journey.events.account.MoneyDeposited", True),
        ("journey.events.*", "journey.events.account.MoneyDeposited", False),
        ("journey.events.card.>", "journey.events.account.MoneyDeposited", False),
        ("a.b", "a.b", True),
        ("a.b", "a.b.c", False),
    ],
)
def test_subject_patterns_match_like_nats(pattern: str, subject: str, matches: bool) -> None:
    assert subject_matches(pattern, subject) is matches


def test_an_event_is_published_under_its_stream_category_and_type() -> None:
    from journey.cqrs.records import StoredEvent

    new = new_event("MoneyDeposited")
    record = StoredEvent(
        7, "account-123", 1, new.event_id, new.event_type, 1, new.data, new.time, new.time,
        "c", None, None, "urn:x", None, None,
    )  # fmt: skip
    assert subject_for(record) == "journey.events.account.MoneyDeposited"
