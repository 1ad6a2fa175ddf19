"""The restrictive-lists query service as the rest of the system sees it.

`ScreeningEngine` implements it in-process; the HTTP adapter and the simulator server are
written against it, so callers do not know which one answers.
"""

from __future__ import annotations

from typing import Protocol

from journey.query_side.restrictive_lists.model import (
    Clearance,
    ClearanceRequest,
    ListVersion,
    ScreeningResult,
    ScreeningSubject,
)


class ScreeningError(ValueError):
    """A request the service refuses (an unknown list, entry or stale list version); the message
    is safe to show and to log (it never quotes a name)."""


class RestrictiveListScreening(Protocol):
    """Screens people against sanctions, PEP and internal lists."""

    async def screen(self, subject: ScreeningSubject) -> ScreeningResult:
        """CLEAR, POSSIBLE_MATCH or HIT with the evidence; cleared false positives set aside."""
        ...

    async def clear_false_positive(self, request: ClearanceRequest) -> Clearance:
        """Record an analyst's decision that an entry is not this person, for the current
        version of its list. Raises `ScreeningError` for an unknown list or entry, or a list
        version that is no longer current."""
        ...

    async def list_versions(self) -> tuple[ListVersion, ...]:
        """The lists screened against and their versions."""
        ...
