"""docs/events.md lists every domain event as the code defines it."""

from __future__ import annotations

from pathlib import Path

from journey.event_catalogue import section

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_the_event_catalogue_in_the_docs_matches_the_code() -> None:
    assert section() in DOC.read_text(encoding="utf-8"), (
        "docs/events.md is out of date: run `python -m journey.event_catalogue docs/events.md`"
    )
