"""The key store port: one data key per data subject, held apart from the event log.

Destroying a subject's key (crypto-shredding) makes every copy of their personal data unreadable,
wherever the ciphertext went: the log, snapshots, broker topics, backups. A shredded subject never
gets a new key, so nothing personal can be written for them again by mistake.
"""

from __future__ import annotations

import os
from typing import Protocol


class SubjectErasedError(Exception):
    """The subject's personal data was erased; no new personal data may be written for them."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"the personal data of subject {subject} was erased")
        self.subject = subject


class KeyStore(Protocol):
    async def key_for(self, subject: str) -> bytes:
        """The subject's data key, created on first use; `SubjectErasedError` once shredded."""
        ...

    async def existing_key(self, subject: str) -> bytes | None:
        """The subject's data key, or None when it never existed or was shredded."""
        ...

    async def shred(self, subject: str) -> bool:
        """Destroy the subject's key for good. True if a key was destroyed now."""
        ...

    async def is_shredded(self, subject: str) -> bool: ...

    async def close(self) -> None: ...


def new_data_key() -> bytes:
    """A fresh 256-bit AES key."""
    return os.urandom(32)


class MemoryKeyStore:
    """Keys in a dictionary: for tests and ephemeral runs."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}
        self._shredded: set[str] = set()

    async def key_for(self, subject: str) -> bytes:
        if subject in self._shredded:
            raise SubjectErasedError(subject)
        return self._keys.setdefault(subject, new_data_key())

    async def existing_key(self, subject: str) -> bytes | None:
        return self._keys.get(subject)

    async def shred(self, subject: str) -> bool:
        self._shredded.add(subject)
        return self._keys.pop(subject, None) is not None

    async def is_shredded(self, subject: str) -> bool:
        return subject in self._shredded

    async def close(self) -> None:
        return None
