"""What `journey serve` does to the garbage collector once it has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from journey.runtime_tuning import GEN0_THRESHOLD, freeze_startup_objects


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_what_exists_at_start_is_frozen_and_young_collections_come_rarer() -> None:
    survivor = [object() for _ in range(1000)]
    gc.unfreeze()
    freeze_startup_objects()
    assert gc.get_freeze_count() >= len(survivor)
    assert gc.get_threshold()[0] == GEN0_THRESHOLD > 700  # above CPython's default
    assert gc.is_tracked(survivor)
    assert not any(survivor is tracked for tracked in gc.get_objects())  # frozen, not walked
