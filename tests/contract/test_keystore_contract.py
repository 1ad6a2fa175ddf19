"""The key store contract: every adapter keeps, hands out and shreds per-subject keys alike."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from journey.cqrs.privacy import KeyStore, MemoryKeyStore, SqliteKeyStore, SubjectErasedError


@pytest.fixture(params=["memory", "sqlite", "sqlite-wrapped"])
async def keys(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[KeyStore]:
    store: KeyStore
    if request.param == "memory":
        store = MemoryKeyStore()
    elif request.param == "sqlite":
        store = SqliteKeyStore(tmp_path / "keys.db")
    else:
        store = SqliteKeyStore(tmp_path / "keys.db", master_key=os.urandom(32))
    yield store
    await store.close()


async def test_a_subject_gets_one_key_that_stays_the_same(keys: KeyStore) -> None:
    first = await keys.key_for("cust-1")
    assert len(first) == 32
    assert await keys.key_for("cust-1") == first
    assert await keys.existing_key("cust-1") == first
    assert await keys.key_for("cust-2") != first
    assert await keys.existing_key("nobody") is None


async def test_a_shredded_key_is_gone_for_good(keys: KeyStore) -> None:
    await keys.key_for("cust-1")
    assert await keys.shred("cust-1") is True
    assert await keys.existing_key("cust-1") is None
    assert await keys.is_shredded("cust-1")
    with pytest.raises(SubjectErasedError):
        await keys.key_for("cust-1")
    assert await keys.shred("cust-1") is False


async def test_shredding_a_subject_without_a_key_still_bars_new_personal_data(
    keys: KeyStore,
) -> None:
    assert await keys.shred("never-seen") is False
    with pytest.raises(SubjectErasedError):
        await keys.key_for("never-seen")


async def test_keys_survive_reopening_the_key_file(tmp_path: Path) -> None:
    master = os.urandom(32)
    store = SqliteKeyStore(tmp_path / "keys.db", master_key=master)
    key = await store.key_for("cust-1")
    await store.close()
    reopened = SqliteKeyStore(tmp_path / "keys.db", master_key=master)
    assert await reopened.existing_key("cust-1") == key
    await reopened.close()


async def test_wrapped_keys_are_not_in_the_key_file_and_need_the_master_key(
    tmp_path: Path,
) -> None:
    store = SqliteKeyStore(tmp_path / "keys.db", master_key=os.urandom(32))
    key = await store.key_for("cust-1")
    await store.close()
    assert key not in (tmp_path / "keys.db").read_bytes()
    wrong = SqliteKeyStore(tmp_path / "keys.db", master_key=os.urandom(32))
    with pytest.raises(ValueError, match="JOURNEY_MASTER_KEY"):
        await wrong.existing_key("cust-1")
    await wrong.close()


async def test_a_shredded_key_leaves_no_trace_in_the_key_file(tmp_path: Path) -> None:
    store = SqliteKeyStore(tmp_path / "keys.db")
    key = await store.key_for("cust-1")
    assert await store.shred("cust-1")
    await store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("keys.db"))
    assert key not in data
    assert base64.b64encode(key) not in data


async def test_concurrent_first_requests_for_many_subjects_each_get_one_lasting_key(
    keys: KeyStore,
) -> None:
    subjects = [f"cust-{n % 40}" for n in range(120)]  # every subject asked for three times
    handed = await asyncio.gather(*(keys.key_for(subject) for subject in subjects))
    by_subject: dict[str, set[bytes]] = {}
    for subject, key in zip(subjects, handed, strict=True):
        by_subject.setdefault(subject, set()).add(key)
    assert all(len(found) == 1 for found in by_subject.values())
    assert len({next(iter(found)) for found in by_subject.values()}) == 40
    for subject, found in by_subject.items():
        assert await keys.existing_key(subject) == next(iter(found))
