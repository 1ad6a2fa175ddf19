"""Keys in their own SQLite file, optionally wrapped with a master key (envelope encryption)."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from journey.cqrs.privacy.keystore import SubjectErasedError, new_data_key

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subject_keys (
    subject      TEXT PRIMARY KEY,
    data_key     BLOB,
    created_at   TEXT NOT NULL,
    shredded_at  TEXT
) WITHOUT ROWID
"""


class SqliteKeyStore:
    """A key store in a file apart from the event log (never in the same file or backup set).

    With a `master_key` (32 bytes), data keys are stored wrapped with AES-GCM, so the key file
    alone does not reveal them. Shredding overwrites the key with NULL and keeps a tombstone, then
    vacuums the freed pages so the key bytes do not linger in the file.

    New keys are group-committed: every new customer needs one, durably, before their first
    event, and one fsync per key on the event loop would stall every other request. Keys asked
    for meanwhile are inserted together in one transaction on a worker thread, through a
    connection of its own; lookups stay on the loop.
    """

    def __init__(self, path: str | Path, *, master_key: bytes | None = None) -> None:
        if master_key is not None and len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes (AES-256)")
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._master = AESGCM(master_key) if master_key is not None else None
        self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA busy_timeout=10000")
        self._connection.execute("PRAGMA secure_delete=ON")
        self._connection.execute(_SCHEMA)
        self._writer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._writer.execute("PRAGMA synchronous=FULL")
        self._writer.execute("PRAGMA busy_timeout=10000")
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journey-keys-fsync")
        self._waiting: dict[str, tuple[bytes, asyncio.Future[None]]] = {}  # not yet written
        self._writing: dict[str, asyncio.Future[None]] = {}  # in the transaction under way
        self._drain_task: asyncio.Task[None] | None = None

    async def key_for(self, subject: str) -> bytes:
        row = self._row(subject)
        if row is not None:
            if row[1] is not None:
                raise SubjectErasedError(subject)
            return self._unwrap(subject, row[0])
        await self._create(subject)
        # Another process may have created it first: whatever is stored is the key.
        row = self._row(subject)
        if row is None:
            raise RuntimeError(f"the key of {subject!r} was written but cannot be read back")
        if row[1] is not None:
            raise SubjectErasedError(subject)
        return self._unwrap(subject, row[0])

    async def _create(self, subject: str) -> None:
        """Have a new key for `subject` committed (together with others asked for meanwhile)."""
        pending = self._writing.get(subject)
        if pending is None and subject in self._waiting:
            pending = self._waiting[subject][1]
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._waiting[subject] = (self._wrap(subject, new_data_key()), pending)
            if self._drain_task is None or self._drain_task.done():
                self._drain_task = asyncio.get_running_loop().create_task(self._drain())
        await asyncio.shield(pending)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            self._writing = {subject: future for subject, (_, future) in batch.items()}
            rows = [(subject, wrapped) for subject, (wrapped, _) in batch.items()]
            try:
                await loop.run_in_executor(self._disk, self._insert, rows)
            except BaseException as error:
                for _, future in batch.values():
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                for _, future in batch.values():
                    if not future.done():
                        future.set_result(None)
            finally:
                self._writing = {}

    def _insert(self, rows: list[tuple[str, bytes]]) -> None:
        """One transaction, one fsync, for every key in the batch (on the worker thread)."""
        now = datetime.now(UTC).isoformat()
        self._writer.execute("BEGIN IMMEDIATE")
        try:
            self._writer.executemany(
                "INSERT INTO subject_keys (subject, data_key, created_at) VALUES (?,?,?) "
                "ON CONFLICT (subject) DO NOTHING",
                [(subject, wrapped, now) for subject, wrapped in rows],
            )
            self._writer.execute("COMMIT")
        except BaseException:
            self._writer.execute("ROLLBACK")
            raise

    async def existing_key(self, subject: str) -> bytes | None:
        row = self._row(subject)
        if row is None or row[1] is not None:
            return None
        return self._unwrap(subject, row[0])

    async def shred(self, subject: str) -> bool:
        now = datetime.now(UTC).isoformat()
        destroyed = self._connection.execute(
            "UPDATE subject_keys SET data_key=NULL, shredded_at=? "
            "WHERE subject=? AND shredded_at IS NULL",
            (now, subject),
        ).rowcount
        if not destroyed:
            self._connection.execute(
                "INSERT INTO subject_keys (subject, data_key, created_at, shredded_at) "
                "VALUES (?, NULL, ?, ?) ON CONFLICT (subject) DO NOTHING",
                (subject, now, now),
            )
        self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return destroyed == 1

    async def is_shredded(self, subject: str) -> bool:
        row = self._row(subject)
        return row is not None and row[1] is not None

    async def close(self) -> None:
        if self._drain_task is not None:
            await asyncio.shield(self._drain_task)
        self._disk.shutdown(wait=True)
        self._writer.close()
        self._connection.close()

    def _row(self, subject: str) -> tuple[bytes | None, str | None] | None:
        row = self._connection.execute(
            "SELECT data_key, shredded_at FROM subject_keys WHERE subject=?", (subject,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def _wrap(self, subject: str, key: bytes) -> bytes:
        if self._master is None:
            return key
        nonce = new_data_key()[:12]
        return nonce + self._master.encrypt(nonce, key, subject.encode())

    def _unwrap(self, subject: str, stored: bytes | None) -> bytes:
        if stored is None:
            raise SubjectErasedError(subject)
        if self._master is None:
            return stored
        try:
            return self._master.decrypt(stored[:12], stored[12:], subject.encode())
        except InvalidTag as error:
            raise ValueError(
                "a data key could not be unwrapped: is JOURNEY_MASTER_KEY the one it was "
                "written with?"
            ) from error
