"""The SQLite adapter: one WAL file, a group-committing writer thread, readers that never block."""

from journey.cqrs.store.sqlite.storage import SqliteStorage

__all__ = ["SqliteStorage"]
