"""Multi-site testing: K fixture positions share one VNA, one generator and one analyzer.

Each position (a *site*) runs on its own thread: the handler swaps its card, then the sequence
runs, each phase asking the `ResourceArbiter` for the instruments it needs. The arbiter grants a
whole set at once or not at all (no hold-and-wait, so no deadlock) and first come, first served
per resource (no starvation). While one site's card is being handled (hundreds of milliseconds),
the others measure; while one site has the VNA, another can have the generator and analyzer.

The arbiter keeps a ledger of every booking, so a run can prove that no instrument was ever
granted to two sites at once.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from journey.cqrs.ids import new_id
from journey.testbench.errors import StationFault, TestbenchError
from journey.testbench.instruments.handler import Bin
from journey.testbench.runtime import Station
from journey.testbench.sequences.card_test import card_test_phases
from journey.testbench.sequences.phases import Phase
from journey.testbench.sequences.record import TestRecord, Verdict
from journey.testbench.sequences.runner import Gate, SequenceRunner
from journey.testbench.station import PositionConfig

BINS = {Verdict.PASS: Bin.PASS, Verdict.FAIL: Bin.FAIL, Verdict.ERROR: Bin.ERROR}


@dataclass
class Booking:
    owner: str
    resources: frozenset[str]
    label: str
    requested_at: float
    granted_at: float
    released_at: float | None = None


class DoubleBooking(RuntimeError):
    """The arbiter was about to grant a resource that is already granted (a bug, never expected)."""


class ResourceArbiter:
    """Grants sets of named resources atomically, first come first served per resource."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._condition = threading.Condition()
        self._busy: dict[str, Booking] = {}
        self._waiting: dict[int, frozenset[str]] = {}
        self._tickets = itertools.count()
        self.ledger: list[Booking] = []

    @contextmanager
    def hold(self, owner: str, resources: frozenset[str], label: str) -> Iterator[float]:
        """Wait until every resource is free (and no earlier request wants one), hold them."""
        ticket = next(self._tickets)
        requested = self._clock()
        with self._condition:
            self._waiting[ticket] = resources
            try:
                while not self._grantable(ticket, resources):
                    self._condition.wait()
            finally:
                del self._waiting[ticket]
            booking = Booking(owner, resources, label, requested, self._clock())
            for resource in resources:
                if resource in self._busy:
                    raise DoubleBooking(f"{resource} is held by {self._busy[resource].owner}")
                self._busy[resource] = booking
            self.ledger.append(booking)
            self._condition.notify_all()  # our ticket left the queue: later requests may go
        try:
            yield booking.granted_at - requested
        finally:
            with self._condition:
                booking.released_at = self._clock()
                for resource in resources:
                    del self._busy[resource]
                self._condition.notify_all()

    def _grantable(self, ticket: int, resources: frozenset[str]) -> bool:
        if any(resource in self._busy for resource in resources):
            return False
        return not any(
            earlier < ticket and wanted & resources for earlier, wanted in self._waiting.items()
        )

    def overlaps(self) -> list[tuple[Booking, Booking]]:
        return overlapping(self.ledger)


def overlapping(bookings: Sequence[Booking]) -> list[tuple[Booking, Booking]]:
    """Pairs of bookings that held a common resource at the same time (there should be none)."""
    found = []
    ordered = sorted(bookings, key=lambda booking: booking.granted_at)
    for i, first in enumerate(ordered):
        end = first.released_at if first.released_at is not None else float("inf")
        for second in ordered[i + 1 :]:
            if second.granted_at >= end:
                break
            if first.resources & second.resources:
                found.append((first, second))
    return found


class Site:
    """One fixture position: swaps cards with the handler and runs the sequence on them."""

    def __init__(self, station: Station, position: PositionConfig, runner: SequenceRunner):
        self.station = station
        self.position = position
        self.runner = runner
        self.owner = f"site-{position.number}"
        self.loaded: tuple[str, Verdict] | None = None

    def _wait(self) -> None:
        settings = self.station.config.handler
        self.station.handler.wait_idle(
            self.position.number, timeout_s=settings.timeout_s, interval_s=settings.poll_s
        )

    def swap_in(self, dut_id: str) -> float:
        """Bring `dut_id` into the position (sending the tested card to its bin)."""
        started = time.monotonic()
        handler = self.station.handler
        number = self.position.number
        if self.loaded is None:
            handler.load(number, dut_id)
        else:
            handler.exchange(number, BINS[self.loaded[1]], dut_id)
        self.loaded = None
        self._wait()
        present = handler.dut(number)
        if present != dut_id:
            raise StationFault(f"position {number} holds {present!r}, expected {dut_id!r}")
        self.loaded = (dut_id, Verdict.ERROR)  # until it has a verdict
        return time.monotonic() - started

    def unload(self) -> float:
        started = time.monotonic()
        if self.loaded is not None:
            self.station.handler.unload(self.position.number, BINS[self.loaded[1]])
            self.loaded = None
            self._wait()
        return time.monotonic() - started

    def test(self, dut_id: str) -> TestRecord:
        """Swap the card in and test it; handler trouble gives an ERROR record."""
        try:
            handling = self.swap_in(dut_id)
        except (TestbenchError, TimeoutError) as error:
            return error_record(self.station, dut_id, self.position.number, error)
        record = self.runner.run(dut_id, self.position, owner=self.owner)
        record.handling_s = handling
        self.loaded = (dut_id, record.verdict)
        return record


def error_record(station: Station, dut_id: str, position: int, error: BaseException) -> TestRecord:
    now = time.time()
    return TestRecord(
        record_id=new_id(),
        station_id=station.config.station_id,
        dut_id=dut_id,
        position=position,
        started_at=now,
        ended_at=now,
        instruments=dict(station.identities),
        error=f"{type(error).__name__}: {error}",
    )


@dataclass
class RunResult:
    records: list[TestRecord]
    bookings: list[Booking]
    elapsed_s: float
    sites: tuple[int, ...]
    site_errors: list[str] = field(default_factory=list)
    untested: list[str] = field(default_factory=list)  # left when every site had stopped

    @property
    def cards_per_min(self) -> float:
        return 60 * len(self.records) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def overlaps(self) -> list[tuple[Booking, Booking]]:
        return overlapping(self.bookings)


class MultiSiteRunner:
    """Tests a lot of cards on several positions at once, sharing the instruments safely."""

    def __init__(
        self,
        station: Station,
        *,
        sites: Sequence[int] | None = None,
        phases: Sequence[Phase] | None = None,
        on_record: Callable[[TestRecord], None] | None = None,
    ) -> None:
        numbers = tuple(sites) if sites is not None else tuple(station.config.positions)
        unknown = [number for number in numbers if number not in station.config.positions]
        if not numbers or unknown or len(set(numbers)) != len(numbers):
            raise ValueError(
                f"sites must be distinct positions of the station "
                f"{sorted(station.config.positions)}, got {list(numbers)}"
            )
        self.station = station
        self.sites = numbers
        self.arbiter = ResourceArbiter()
        self.phases = tuple(phases) if phases is not None else card_test_phases(station.config)
        self.on_record = on_record

    def runner(self, gate: Gate | None = None) -> SequenceRunner:
        return SequenceRunner(self.station, self.phases, gate=gate or self.arbiter)

    def run(self, dut_ids: Sequence[str]) -> RunResult:
        order = {dut_id: index for index, dut_id in enumerate(dut_ids)}
        if len(order) != len(dut_ids):
            raise ValueError("card ids in one run must be distinct")
        queue = deque(dut_ids)
        records: list[TestRecord] = []
        errors: list[str] = []
        lock = threading.Lock()

        def next_card() -> str | None:
            with lock:
                return queue.popleft() if queue else None

        def keep(record: TestRecord) -> None:
            self.station.keep_record(record)
            with lock:
                records.append(record)
            if self.on_record is not None:
                self.on_record(record)

        def work(number: int) -> None:
            site = Site(self.station, self.station.config.positions[number], self.runner())
            try:
                while (dut_id := next_card()) is not None:
                    record = site.test(dut_id)
                    keep(record)
                    if record.verdict is Verdict.ERROR and record.error is not None:
                        raise StationFault(f"site {number} stopped: {record.error}")
                site.unload()
            except (TestbenchError, TimeoutError) as error:
                with lock:
                    errors.append(f"site {number}: {error}")

        started = time.monotonic()
        threads = [
            threading.Thread(target=work, args=(number,), name=f"testbench-site-{number}")
            for number in self.sites
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        records.sort(key=lambda record: order[record.dut_id])
        return RunResult(
            records, list(self.arbiter.ledger), elapsed, self.sites, errors, list(queue)
        )
