"""Pseudonymous keys for people, so ids can be stored and keyed without the id itself."""

from __future__ import annotations

import functools
import hashlib
import re

from journey.query_side.population import fold

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@functools.lru_cache(maxsize=65_536)
def subject_key(country: str, national_id: str, *, pepper: str = "journey") -> str:
    """A stable pseudonym for (country, national id): usable as a data-subject id, a cache key
    or a document key, without writing the national id itself anywhere."""
    normalized = _NOT_ALNUM.sub("", fold(national_id))
    digest = hashlib.sha256(f"{pepper}\x1f{country.upper()}\x1f{normalized}".encode()).hexdigest()
    return f"subj-{digest[:32]}"
