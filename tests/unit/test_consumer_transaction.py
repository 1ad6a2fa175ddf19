"""A consumer's transaction reads back its own documents as the store will keep them."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from journey.cqrs.clock import ManualClock
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.privacy import MemoryKeyStore
from journey.cqrs.serialization import EventCodec, EventRegistry
from journey.cqrs.store import PutDocument
from journey.cqrs.store.memory import MemoryStorage


def transaction(storage: MemoryStorage | None = None) -> ConsumerTransaction:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    return ConsumerTransaction(
        storage or MemoryStorage(), EventCodec(EventRegistry(), MemoryKeyStore()), clock
    )


async def test_a_document_put_reads_back_as_the_store_will_keep_it() -> None:
    tx = transaction()
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    tx.put("journeys", "a", {"at": when, "steps": ("one", "two")})
    read = await tx.get("journeys", "a")
    assert read == {"at": "2026-01-02T03:04:05+00:00", "steps": ["one", "two"]}
    put = tx.commit.documents[0]
    assert isinstance(put, PutDocument)
    assert put.document == read


async def test_changing_a_dict_after_putting_or_reading_it_changes_nothing_put() -> None:
    tx = transaction()
    document = {"timeline": [{"step": "applied"}]}
    tx.put("journeys", "a", document)
    document["timeline"].append({"step": "changed after put"})
    read = await tx.get("journeys", "a")
    assert read is not None
    read["timeline"].append({"step": "changed after read"})
    assert await tx.get("journeys", "a") == {"timeline": [{"step": "applied"}]}
    put = tx.commit.documents[0]
    assert isinstance(put, PutDocument)
    assert put.document == {"timeline": [{"step": "applied"}]}


async def test_a_rollback_to_a_savepoint_restores_the_document_read_before_it() -> None:
    tx = transaction()
    tx.put("journeys", "a", {"n": 1})
    mark = tx.savepoint()
    tx.put("journeys", "a", {"n": 2})
    tx.delete("journeys", "b")
    tx.rollback_to(mark)
    assert await tx.get("journeys", "a") == {"n": 1}
    assert len(tx.commit.documents) == 1


def test_a_document_the_store_could_not_keep_is_refused_when_put() -> None:
    tx = transaction()
    with pytest.raises(orjson.JSONEncodeError):
        tx.put("journeys", "a", {"tags": {"a set", "cannot be JSON"}})
    assert tx.commit.documents == []
