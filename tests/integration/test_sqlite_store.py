"""The SQLite store: group commit, many writers on one file, readers that never skip."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from journey.cqrs.store import (
    NO_STREAM,
    CheckpointUpdate,
    Commit,
    ConcurrencyError,
    StoreUnavailable,
    StreamAppend,
)
from journey.cqrs.store.sqlite import SqliteStorage
from tests.support.records import new_event, random_stream


async def test_concurrent_commits_share_transactions_and_a_conflict_fails_alone(
    tmp_path: Path,
) -> None:
    storage = await SqliteStorage(tmp_path / "j.db").open()
    taken = random_stream()
    await storage.append(taken, NO_STREAM, [new_event()])
    streams = [random_stream() for _ in range(60)]
    outcomes = await asyncio.gather(
        *(storage.append(s, NO_STREAM, [new_event()]) for s in streams),
        storage.append(taken, NO_STREAM, [new_event()]),
        return_exceptions=True,
    )
    assert sum(isinstance(o, ConcurrencyError) for o in outcomes) == 1
    assert [await storage.stream_version(s) for s in streams] == [1] * 60
    assert storage.writer_stats.commits_per_transaction > 1.5
    await storage.close()


async def test_what_was_committed_survives_closing_and_reopening(tmp_path: Path) -> None:
    storage = await SqliteStorage(tmp_path / "j.db").open()
    stream = random_stream()
    await storage.append(stream, NO_STREAM, [new_event(data={"n": 1}), new_event(data={"n": 2})])
    await storage.close()
    reopened = await SqliteStorage(tmp_path / "j.db").open()
    assert [orjson.loads(e.data)["n"] for e in await reopened.read_stream(stream)] == [1, 2]
    await reopened.close()


async def test_two_stores_on_one_file_interleave_writes_without_losing_any(
    tmp_path: Path,
) -> None:
    first = await SqliteStorage(tmp_path / "j.db").open()
    second = await SqliteStorage(tmp_path / "j.db").open()
    shared = random_stream()

    async def writer(storage: SqliteStorage, count: int) -> int:
        won = 0
        for _ in range(count):
            await storage.append(random_stream(), NO_STREAM, [new_event()])
            version = await storage.stream_version(shared)
            try:
                await storage.append(shared, version, [new_event()])
                won += 1
            except ConcurrencyError:
                pass
        return won

    won = await asyncio.gather(writer(first, 40), writer(second, 40))
    log = await first.read_all(limit=1000)
    assert [e.position for e in log] == list(range(1, len(log) + 1))
    assert len(log) == 80 + sum(won)
    assert [e.stream_version for e in await first.read_stream(shared)] == list(
        range(1, sum(won) + 1)
    )
    await first.close()
    await second.close()


async def test_a_reader_following_the_log_during_heavy_writing_never_skips_an_event(
    tmp_path: Path,
) -> None:
    storage = await SqliteStorage(tmp_path / "j.db").open()
    seen: list[int] = []
    done = asyncio.Event()

    async def follow() -> None:
        position = 0
        while not (done.is_set() and position == await storage.last_position()):
            batch = await storage.read_all(after_position=position, limit=37)
            seen.extend(e.position for e in batch)
            if batch:
                position = batch[-1].position
            else:
                await storage.wait_for_append(position, 0.05)

    async def write(n: int) -> None:
        for _ in range(n):
            await storage.commit(
                Commit(appends=[StreamAppend(random_stream(), NO_STREAM, [new_event()])])
            )

    follower = asyncio.ensure_future(follow())
    await asyncio.gather(*(write(25) for _ in range(20)))
    done.set()
    await asyncio.wait_for(follower, 10)
    assert seen == list(range(1, 501))
    await storage.close()


async def test_opening_a_store_in_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="cannot open the store"):
        await SqliteStorage(blocker / "j.db").open()


async def test_a_commit_that_only_moves_checkpoints_skips_the_fsync_and_others_keep_it(
    tmp_path: Path,
) -> None:
    storage = await SqliteStorage(tmp_path / "j.db").open()
    writer = storage._writer  # the writer's own connection: where the durability pragma lives
    assert writer is not None
    statements: list[str] = []
    writer._connection.set_trace_callback(statements.append)
    await storage.commit(Commit(checkpoints=[CheckpointUpdate("projector", 0, 5)]))
    lazy = [s for s in statements if s.startswith("PRAGMA synchronous")]
    assert lazy == ["PRAGMA synchronous=NORMAL", "PRAGMA synchronous=2"]
    statements.clear()
    await storage.append(random_stream(), NO_STREAM, [new_event()])
    assert not [s for s in statements if s.startswith("PRAGMA synchronous")]
    assert writer._connection.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert await storage.get_checkpoint("projector") == 5
    await storage.close()
