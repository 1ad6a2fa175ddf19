"""The CDP port."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from journey.query_side.cdp.model import CdpProfile, Consent, Identity


class CustomerDataPlatform(Protocol):
    name: str

    async def resolve(self, identities: Sequence[Identity]) -> CdpProfile | None:
        """The one profile these identifiers belong to, stitching profiles that turn out to be
        the same person (e.g. an anonymous device profile and a known national id)."""
        ...

    async def record_consent(self, identities: Sequence[Identity], consent: Consent) -> CdpProfile:
        """Record a consent (or its withdrawal) on the person's profile, creating it if needed."""
        ...
