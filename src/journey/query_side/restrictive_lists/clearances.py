"""Remembered false positives: an analyst cleared this listed entry for this person.

A clearance holds for one person (`subject_key`), one entry and one list version: when the list
is republished the entry may have changed (a new alias, a birth date), so it is raised again.
The lead adds a durable adapter on the kernel; `InMemoryClearanceStore` serves tests, the CLI
and the embedded simulators.
"""

from __future__ import annotations

from typing import Protocol

from journey.query_side.restrictive_lists.model import Clearance

ClearanceKey = tuple[str, str, str, str]  # subject_key, list_name, entry_id, list_version


class ClearanceStore(Protocol):
    """Where clearances are kept."""

    async def is_cleared(
        self, subject_key: str, list_name: str, entry_id: str, list_version: str
    ) -> bool: ...

    async def clear(self, clearance: Clearance) -> None:
        """Remember a clearance (clearing twice keeps the first decision)."""
        ...


class InMemoryClearanceStore:
    """Clearances in a dict: lost when the process ends."""

    def __init__(self) -> None:
        self._cleared: dict[ClearanceKey, Clearance] = {}

    async def is_cleared(
        self, subject_key: str, list_name: str, entry_id: str, list_version: str
    ) -> bool:
        return (subject_key, list_name, entry_id, list_version) in self._cleared

    async def clear(self, clearance: Clearance) -> None:
        key = (
            clearance.subject_key,
            clearance.list_name,
            clearance.entry_id,
            clearance.list_version,
        )
        self._cleared.setdefault(key, clearance)

    def __len__(self) -> int:
        return len(self._cleared)
