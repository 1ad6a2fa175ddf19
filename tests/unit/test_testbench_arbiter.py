"""The multi-site arbiter grants instrument sets atomically, in order, never to two sites."""

from __future__ import annotations

import itertools
import threading
import time

from journey.testbench.multisite import Booking, ResourceArbiter, overlapping
from journey.testbench.sequences.card_test import field_grid
from journey.testbench.station import load_station


def test_threads_competing_for_instruments_never_hold_one_together() -> None:
    arbiter = ResourceArbiter()
    holders: dict[str, str | None] = {"vna": None, "sa": None, "vsg": None}
    clashes: list[str] = []
    lock = threading.Lock()

    def site(name: str, wants: list[frozenset[str]]) -> None:
        for _ in range(15):
            for resources in wants:
                with arbiter.hold(name, resources, "work"):
                    with lock:
                        for resource in resources:
                            if holders[resource] is not None:
                                clashes.append(f"{name} got {resource} from {holders[resource]}")
                            holders[resource] = name
                    time.sleep(0.0005)
                    with lock:
                        for resource in resources:
                            holders[resource] = None

    plan = [frozenset({"vna"}), frozenset({"vsg", "sa"})]
    threads = [threading.Thread(target=site, args=(f"site-{i}", plan)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clashes == []
    assert arbiter.overlaps() == []
    assert len(arbiter.ledger) == 4 * 15 * 2
    assert {booking.owner for booking in arbiter.ledger if "sa" in booking.resources} == {
        f"site-{i}" for i in range(4)
    }


def test_a_request_is_not_overtaken_by_a_later_one_wanting_the_same_instrument() -> None:
    arbiter = ResourceArbiter()
    order: list[str] = []
    release = threading.Event()

    def waiting(count: int) -> None:
        deadline = time.monotonic() + 5
        while len(arbiter._waiting) < count:  # the arbiter's queue of pending requests
            assert time.monotonic() < deadline
            time.sleep(0.001)

    def holder() -> None:
        with arbiter.hold("site-1", frozenset({"sa"}), "hold"):
            release.wait(5)

    def waiter(name: str, resources: frozenset[str]) -> None:
        with arbiter.hold(name, resources, "wait"):
            order.append(name)

    blocker = threading.Thread(target=holder)
    blocker.start()
    while not arbiter.ledger:
        time.sleep(0.001)
    big = threading.Thread(target=waiter, args=("site-2", frozenset({"sa", "vsg"})))
    big.start()
    waiting(1)
    small = threading.Thread(target=waiter, args=("site-3", frozenset({"vsg"})))
    small.start()
    waiting(2)
    assert order == []  # the generator is free, but site-2 asked for it first
    release.set()
    for thread in (blocker, big, small):
        thread.join(5)
    assert order == ["site-2", "site-3"]


def test_the_overlap_check_finds_a_double_booking_in_a_ledger() -> None:
    ledger = [
        Booking("site-1", frozenset({"sa", "vsg"}), "a", 0.0, 1.0, 2.0),
        Booking("site-2", frozenset({"vna"}), "b", 0.0, 1.5, 2.5),
        Booking("site-3", frozenset({"sa"}), "c", 0.0, 1.9, 3.0),
    ]
    pairs = overlapping(ledger)
    assert [(a.owner, b.owner) for a, b in pairs] == [("site-1", "site-3")]
    assert overlapping(ledger[:2]) == []


def test_the_minimum_field_search_grid_is_fine_near_the_limit_and_coarse_above() -> None:
    grid = field_grid(load_station().field)
    assert grid[0] == 0.4
    assert 1.5 in grid
    assert grid[-2:] == [2.0, 2.5]
    assert all(b > a for a, b in itertools.pairwise(grid))
