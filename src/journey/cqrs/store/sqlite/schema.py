"""Tables of the SQLite store, created or upgraded on open (tracked in PRAGMA user_version)."""

from __future__ import annotations

import sqlite3

_MIGRATIONS: tuple[str, ...] = (
    # 1: the log and the kernel's state
    """
    CREATE TABLE events (
        position        INTEGER PRIMARY KEY,
        event_id        TEXT    NOT NULL,
        stream_id       TEXT    NOT NULL,
        version         INTEGER NOT NULL,
        type            TEXT    NOT NULL,
        schema_version  INTEGER NOT NULL,
        data            TEXT    NOT NULL,
        time            TEXT    NOT NULL,
        recorded_at     TEXT    NOT NULL,
        correlation_id  TEXT    NOT NULL,
        causation_id    TEXT,
        traceparent     TEXT,
        source          TEXT    NOT NULL,
        subject         TEXT,
        partition_key   TEXT
    );
    CREATE UNIQUE INDEX events_by_stream ON events (stream_id, version);
    CREATE UNIQUE INDEX events_by_id ON events (event_id);

    CREATE TABLE checkpoints (
        name        TEXT PRIMARY KEY,
        position    INTEGER NOT NULL,
        updated_at  TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE inbox (
        consumer      TEXT NOT NULL,
        message_id    TEXT NOT NULL,
        processed_at  TEXT NOT NULL,
        PRIMARY KEY (consumer, message_id)
    ) WITHOUT ROWID;

    CREATE TABLE idempotency_keys (
        key          TEXT PRIMARY KEY,
        fingerprint  TEXT NOT NULL,
        result       TEXT NOT NULL,
        position     INTEGER,
        created_at   TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE scheduled_messages (
        id               TEXT PRIMARY KEY,
        due_at           INTEGER NOT NULL,
        kind             TEXT NOT NULL,
        message_type     TEXT NOT NULL,
        payload          TEXT NOT NULL,
        stream_id        TEXT,
        reply            TEXT,
        correlation_id   TEXT NOT NULL,
        causation_id     TEXT,
        traceparent      TEXT,
        idempotency_key  TEXT,
        attempts         INTEGER NOT NULL,
        last_error       TEXT,
        created_at       TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX scheduled_by_due ON scheduled_messages (due_at, id);

    CREATE TABLE dead_letters (
        id            TEXT PRIMARY KEY,
        consumer      TEXT NOT NULL,
        kind          TEXT NOT NULL,
        message_id    TEXT NOT NULL,
        message_type  TEXT NOT NULL,
        payload       TEXT NOT NULL,
        error         TEXT NOT NULL,
        attempts      INTEGER NOT NULL,
        status        TEXT NOT NULL,
        parked_at     TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        sequence_key  TEXT,
        position      INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX dead_letters_by_consumer ON dead_letters (consumer, status, parked_at);

    CREATE TABLE documents (
        collection  TEXT NOT NULL,
        key         TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (collection, key)
    ) WITHOUT ROWID;

    CREATE TABLE snapshots (
        stream_id       TEXT PRIMARY KEY,
        version         INTEGER NOT NULL,
        aggregate_type  TEXT NOT NULL,
        schema_version  INTEGER NOT NULL,
        state           TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
)

SCHEMA_VERSION = len(_MIGRATIONS)


def connect(path: str, *, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN ourselves) with the store's pragmas."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={_checked_synchronous(synchronous)}")
    connection.execute("PRAGMA busy_timeout=10000")
    connection.execute("PRAGMA temp_store=MEMORY")
    return connection


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the file's schema up to date, one migration per transaction."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = connection.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise RuntimeError(
                f"the store file has schema version {current}, newer than this code "
                f"({SCHEMA_VERSION}); upgrade Customer Journey"
            )
        for number in range(current, SCHEMA_VERSION):
            for statement in _MIGRATIONS[number].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version={number + 1}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _checked_synchronous(value: str) -> str:
    normalized = value.upper()
    if normalized not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown SQLite synchronous mode {value!r}")
    return normalized
