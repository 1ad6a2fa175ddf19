"""Pseudonymous keys for people, so ids can be stored and keyed without the id itself."""

from __future__ import annotations

import hashlib

from journey.query_side.population import fold


def subject_key(country: str, national_id: str, *, pepper: str = "journey") -> str:
    """A stable pseudonym for (country, national id): usable as a data-subject id, a cache key
    or a document key, without writing the national id itself anywhere."""
    normalized = "".join(c for c in fold(national_id) if c.isalnum())
    digest = hashlib.sha256(f"{pepper}\x1f{country.upper()}\x1f{normalized}".encode()).hexdigest()
    return f"subj-{digest[:32]}"
