"""Identifiers: time-ordered UUIDs (v7).

Event ids and new aggregate ids are UUIDv7 so that unique indexes grow at their right edge: random
(v4) keys dirty pages all over the index and cost a quarter of the append throughput on SQLite.
"""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    """A new time-ordered unique id as a canonical UUID string."""
    return str(uuid_utils.uuid7())
