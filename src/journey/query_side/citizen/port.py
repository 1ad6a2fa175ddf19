"""The civil registry port."""

from __future__ import annotations

from typing import Protocol

from journey.query_side.citizen.model import RegistryRecord


class CivilRegistry(Protocol):
    name: str

    async def lookup(self, country: str, national_id: str) -> RegistryRecord | None:
        """The registry's entry for this id (None when there is none). Raises `ProviderError`
        when the registry does not answer."""
        ...
