"""Shared fixtures: storage adapters (every contract test runs against each), clocks, kernels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import structlog

from journey.cqrs.clock import ManualClock
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.port import Storage
from journey.cqrs.store.sqlite import SqliteStorage

STORAGE_KINDS = ["memory", "sqlite"]


async def make_storage(kind: str, tmp_path: Path) -> Storage:
    if kind == "memory":
        return MemoryStorage()
    return await SqliteStorage(tmp_path / "journey.db").open()


@pytest.fixture(autouse=True)
def _default_logging() -> None:
    """Each test starts with structlog's defaults (code under test may configure it)."""
    structlog.reset_defaults()


@pytest.fixture(params=STORAGE_KINDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """Each storage adapter in turn: contract tests run once per adapter."""
    store = await make_storage(request.param, tmp_path)
    yield store
    await store.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Callable[[str], Path]:
    return lambda name="journey.db": tmp_path / name
