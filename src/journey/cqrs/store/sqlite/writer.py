"""Group commit: concurrent commits become one transaction and one fsync.

Callers submit commits; a writer task on the event loop takes everything queued (up to
`max_batch`), applies each commit inside its own savepoint (a refused commit is rolled back alone,
the rest stand), then runs the single `COMMIT` — the fsync — on a worker thread. While the disk
works, the loop keeps handling commands, which fill the next batch. All SQL and Python work stays
on the loop's thread, so the two threads never fight over the GIL; only the wait for the disk is
handed off.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from journey.cqrs.store.errors import CommitRejected, StoreError, StoreUnavailable
from journey.cqrs.store.model import Commit, CommitResult
from journey.cqrs.store.sqlite.apply import BatchState, apply_commit, is_single_statement

Outcome = CommitResult | BaseException

_LOCK_TIMEOUT = 10.0  # seconds to wait for another process's write lock


@dataclass(slots=True)
class WriterStats:
    """How well batching works: commits per transaction is the group-commit factor."""

    transactions: int = 0
    commits: int = 0

    @property
    def commits_per_transaction(self) -> float:
        return self.commits / self.transactions if self.transactions else 0.0


class GroupCommitWriter:
    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        max_batch: int,
        on_committed: Callable[[int], None],
    ) -> None:
        self._connection = connection
        # Never block the loop waiting for another process's lock: fail fast and retry.
        connection.execute("PRAGMA busy_timeout=0")
        self._max_batch = max_batch
        self._durable_level = int(connection.execute("PRAGMA synchronous").fetchone()[0])
        self._on_committed = on_committed
        self._queue: deque[tuple[Commit, asyncio.Future[CommitResult]]] = deque()
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journey-sqlite-fsync")
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.stats = WriterStats()

    def submit(self, commit: Commit) -> asyncio.Future[CommitResult]:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[CommitResult] = loop.create_future()
        self._queue.append((commit, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain(), name="journey-sqlite-writer")
        return future

    async def stop(self) -> None:
        self._closed = True
        if self._task is not None:
            await asyncio.shield(self._task)
        self._disk.shutdown(wait=True)
        self._connection.close()

    async def _drain(self) -> None:
        while self._queue:
            # Take half of what waits (at least 8): the other half's callers, done sooner next
            # round, prepare their commands while this half's fsync runs, so CPU and disk overlap.
            take = min(self._max_batch, len(self._queue), max(8, (len(self._queue) + 1) // 2))
            batch = [self._queue.popleft() for _ in range(take)]
            try:
                outcomes = await self._write([commit for commit, _ in batch])
            except BaseException as error:  # cancelled or broken: nobody may wait forever
                for _, future in batch:
                    if not future.done():
                        future.set_exception(
                            StoreUnavailable(f"the write was interrupted: {error}")
                        )
                raise
            self._deliver(batch, outcomes)

    async def _write(self, commits: list[Commit]) -> list[Outcome]:
        # A batch that only moves consumers past events they ignore needs no fsync: lost in a
        # power cut, the consumer reads those events again and ignores them again. The next
        # durable commit's fsync takes these WAL frames to disk too.
        lazy = self._durable_level > 1 and all(_only_checkpoints(c) for c in commits)
        if lazy:
            self._connection.execute("PRAGMA synchronous=NORMAL")
        try:
            return await self._write_transaction(commits)
        finally:
            if lazy:
                self._connection.execute(f"PRAGMA synchronous={self._durable_level}")

    async def _write_transaction(self, commits: list[Commit]) -> list[Outcome]:
        if not await self._begin():
            failure = StoreUnavailable("another process held the store's write lock too long")
            return [failure] * len(commits)
        connection = self._connection
        now = datetime.now(UTC)
        outcomes: list[Outcome] = []
        try:
            next_position = connection.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM events"
            ).fetchone()[0]
            state = BatchState(next_position)
            for commit in commits:
                if is_single_statement(commit):
                    # One INSERT is atomic by itself: no savepoint needed to undo it alone.
                    try:
                        outcomes.append(apply_commit(connection, commit, state, now))
                    except (CommitRejected, sqlite3.Error, ValueError, TypeError) as error:
                        outcomes.append(_failure(error))
                    continue
                connection.execute("SAVEPOINT one_commit")
                try:
                    outcomes.append(apply_commit(connection, commit, state, now))
                except (CommitRejected, sqlite3.Error, ValueError, TypeError) as error:
                    connection.execute("ROLLBACK TO one_commit")
                    outcomes.append(_failure(error))
                connection.execute("RELEASE one_commit")
            # The fsync happens here; let the loop serve callers meanwhile.
            await asyncio.get_running_loop().run_in_executor(
                self._disk, connection.execute, "COMMIT"
            )
        except sqlite3.Error as error:
            _rollback(connection)
            failure = StoreUnavailable(f"the write transaction failed: {error}")
            return [failure] * len(commits)
        except BaseException:
            _rollback(connection)
            raise
        self.stats.transactions += 1
        self.stats.commits += len(commits)
        return outcomes

    async def _begin(self) -> bool:
        delay = 0.001
        waited = 0.0
        while True:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if waited >= _LOCK_TIMEOUT:
                    return False
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 0.05)
            else:
                return True

    def _deliver(
        self,
        batch: list[tuple[Commit, asyncio.Future[CommitResult]]],
        outcomes: list[Outcome],
    ) -> None:
        highest = 0
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, CommitResult) and outcome.last_position is not None:
                highest = max(highest, outcome.last_position)
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        if highest:
            self._on_committed(highest)


def _only_checkpoints(commit: Commit) -> bool:
    return bool(commit.checkpoints) and Commit(checkpoints=commit.checkpoints) == commit


def _rollback(connection: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):  # no transaction left to roll back
        connection.execute("ROLLBACK")


def _failure(error: Exception) -> BaseException:
    if isinstance(error, CommitRejected):
        return error
    failure = StoreError(f"the commit could not be applied: {error}")
    failure.__cause__ = error
    return failure
