"""The kernel benchmark: commands/s of our kernel against a peer library and raw SQLite.

Every figure comes from the same process and the same run, interleaved (ours, peer, raw... then
again), each run on fresh database files in a temporary directory, and the medians over the runs
are kept: on a small noisy machine, comparing figures taken minutes apart says little.

Workloads (a "command" is: load one aggregate from its events, decide one event, save it):

- **ours** — our kernel on a SQLite file (`SqliteStorage`, WAL, `synchronous=FULL`), commands sent
  through the bootstrapped command bus with its default middleware; `callers` concurrent asyncio
  tasks.
- **peer** — the `eventsourcing` library (`Application` + `Aggregate`) on a SQLite file (WAL,
  synchronous checked with a PRAGMA), `callers` threads; `repository.get`, one method call,
  `save`. No aggregate cache on either side.
- **distinct** — caller i works on aggregates of its own, ten commands each, so streams stay short
  and callers never contend for a stream.
- **shared** — all callers work on a small hot set of aggregates (`max(2, callers // 4)`), which
  moves on to fresh aggregates every `callers * 10` commands; conflicts are retried and only
  successful commands count.
- **raw** — stdlib `sqlite3` inserting rows shaped like our event rows (WAL, `synchronous=FULL`),
  one row per transaction (the fsync-bound limit a store without group commit cannot beat) and
  100 rows per transaction.
- **dispatch** — the cost of the command bus itself: a trivial command to a handler that does
  nothing, sent in a tight sequential loop, through our `CommandBus` without middleware and through
  `python-cqrs`'s request mediator without middleware.

The peers are development dependencies, imported only inside the functions that use them.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import math
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journey.bootstrap import bootstrap
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.bus.command_bus import CommandBus
from journey.cqrs.clock import SystemClock
from journey.cqrs.ids import new_id
from journey.cqrs.messages import Command, Event
from journey.cqrs.module import Module
from journey.cqrs.privacy.keystore import MemoryKeyStore
from journey.cqrs.serialization import EventCodec, EventRegistry
from journey.cqrs.store.errors import ConcurrencyError
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.sqlite.storage import SqliteStorage
from journey.cqrs.unit_of_work import UnitOfWork
from journey.log_config import configure_logging
from journey.settings import Settings

COMMANDS_PER_AGGREGATE = 10  # timed commands each aggregate receives: short, realistic streams
PEER_ATTEMPTS = 10  # get + decide + save attempts per peer command in the shared workload
RAW_BATCH = 100  # rows per transaction in the batched raw figure
RAW_SINGLE_ROWS_MAX = 1000  # one fsync per row: ~1,800 rows/s here, so keep the count modest
PEER_COMMANDS_MAX = 1500  # the peer runs ~700 commands/s: fewer commands, same shape, a rate
DISPATCH_PER_COMMAND = 3  # dispatch loop length, as a multiple of `commands`
_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


# -- our domain: a counter, one creation event and one event per command -------------------------
class CounterOpened(Event):
    """The counter exists (the untimed creation event)."""


class Incremented(Event):
    amount: int


class Counter(Aggregate):
    """The smallest aggregate that still loads, decides and records like a real one."""

    category = "benchcounter"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.count = 0

    def open(self) -> None:
        self.record(CounterOpened())

    def increment(self, amount: int) -> None:
        self.record(Incremented(amount=amount))

    def apply(self, event: Event) -> None:
        if isinstance(event, Incremented):
            self.count += event.amount


class OpenCounter(Command):
    counter_id: str


class Increment(Command):
    counter_id: str
    amount: int


async def open_counter(command: OpenCounter, uow: UnitOfWork) -> None:
    counter = Counter(command.counter_id)
    counter.open()
    uow.add(counter)


async def increment(command: Increment, uow: UnitOfWork) -> None:
    counter = await uow.get(Counter, command.counter_id)
    counter.increment(command.amount)


COUNTER_MODULE = Module(
    name="benchmark-counter",
    events=(CounterOpened, Incremented),
    commands={OpenCounter: open_counter, Increment: increment},
)


class Ping(Command):
    """The trivial command of the dispatch figure."""

    n: int


async def ignore_ping(command: Ping, uow: UnitOfWork) -> None:
    """Does nothing and records nothing: what is left to measure is the bus."""


# -- workload shapes -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Plan:
    """Who sends what: caller i sends `per_caller[i]` commands, its j-th to `target(i, j)`.

    Both sides run the same plan, so they do the same work on streams of the same length.
    """

    per_caller: tuple[int, ...]
    aggregates: int  # how many to create before timing
    target: Callable[[int, int], int]  # (caller, j) -> aggregate index

    @property
    def commands(self) -> int:
        return sum(self.per_caller)


def _split(commands: int, callers: int) -> tuple[int, ...]:
    base, extra = divmod(commands, callers)
    return tuple(base + (1 if i < extra else 0) for i in range(callers))


def distinct_plan(callers: int, commands: int) -> Plan:
    """Each caller on aggregates of its own, moving to the next one every ten commands."""
    per_caller = _split(commands, callers)
    owned = [math.ceil(n / COMMANDS_PER_AGGREGATE) for n in per_caller]
    first = list(itertools.accumulate(owned, initial=0))
    return Plan(
        per_caller,
        aggregates=first[-1],
        target=lambda caller, j: first[caller] + j // COMMANDS_PER_AGGREGATE,
    )


def shared_plan(callers: int, commands: int) -> Plan:
    """Every caller on the same hot set; the set moves on every `callers * 10` commands.

    Caller i's j-th command belongs to round j // 10 (ten commands per caller per round, so
    `callers * 10` per round) and goes to hot aggregate (i + j) mod hot-set size: at any moment
    about four callers want each hot aggregate.
    """
    per_caller = _split(commands, callers)
    hot = max(2, callers // 4)
    rounds = math.ceil(max(per_caller) / COMMANDS_PER_AGGREGATE)
    return Plan(
        per_caller,
        aggregates=rounds * hot,
        target=lambda caller, j: (j // COMMANDS_PER_AGGREGATE) * hot + (caller + j) % hot,
    )


@dataclass(frozen=True, slots=True)
class Measured:
    """One timed workload: how many commands succeeded, failed for good, and how long it took."""

    done: int
    seconds: float
    failed: int = 0
    commits_per_transaction: float = 0.0  # ours only: the group-commit factor

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


# -- ours ------------------------------------------------------------------------------------------
async def run_ours(path: Path, plan: Plan) -> Measured:
    """Our kernel, bootstrapped as an application would be, on a fresh SQLite file."""
    storage = await SqliteStorage(path).open()  # synchronous=FULL is the default
    # No .env file: a stray one in the working directory must not change what is measured.
    settings = Settings(_env_file=None, event_store="memory", key_store="memory")
    kernel = await bootstrap(
        settings, modules=[COUNTER_MODULE], storage=storage, keys=MemoryKeyStore()
    )
    bus = kernel.commands
    try:
        ids = [new_id() for _ in range(plan.aggregates)]
        await asyncio.gather(*(bus.send(OpenCounter(counter_id=i)) for i in ids))
        stats = storage.writer_stats
        transactions, commits = stats.transactions, stats.commits  # leave creation out

        async def caller(index: int) -> tuple[int, int]:
            done = failed = 0
            for j in range(plan.per_caller[index]):
                target = ids[plan.target(index, j)]
                try:
                    await bus.send(Increment(counter_id=target, amount=1))
                except ConcurrencyError:  # still conflicting after the bus's own retries
                    failed += 1
                else:
                    done += 1
            return done, failed

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(caller(i) for i in range(len(plan.per_caller))))
        seconds = time.perf_counter() - started
        batches = stats.transactions - transactions
        factor = (stats.commits - commits) / batches if batches else 0.0
    finally:
        await kernel.close()
    return Measured(
        done=sum(done for done, _ in outcomes),
        failed=sum(failed for _, failed in outcomes),
        seconds=seconds,
        commits_per_transaction=factor,
    )


# -- the peer: eventsourcing -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PeerDomain:
    """The peer's application and aggregate classes, built on first use (lazy import)."""

    application: type[Any]
    counter: type[Any]
    conflict: type[BaseException]  # what `save` raises when another writer won the race


@functools.cache
def peer_domain() -> PeerDomain:
    """Define the peer's counter in the library's idiomatic `@event` style."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate as PeerAggregate
    from eventsourcing.domain import event
    from eventsourcing.persistence import RecordConflictError

    class PeerCounter(PeerAggregate):
        @event("Opened")
        def __init__(self) -> None:
            self.count = 0

        @event("Incremented")
        def increment(self, amount: int) -> None:
            self.count += amount

    class Counters(Application[Any]):
        pass

    return PeerDomain(Counters, PeerCounter, RecordConflictError)


def open_peer(path: Path) -> Any:
    """The peer application on a SQLite file, configured through its `env` argument."""
    domain = peer_domain()
    return domain.application(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    )


def peer_durability(path: Path) -> tuple[str, str]:
    """(journal_mode, synchronous) as the peer's own connections see them."""
    app = open_peer(path)
    try:
        with app.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = str(cursor.fetchone()[0]).upper()
            cursor.execute("PRAGMA synchronous")
            level = int(cursor.fetchone()[0])
    finally:
        app.close()
    return mode, _SYNCHRONOUS.get(level, str(level))


def run_peer(path: Path, plan: Plan) -> Measured:
    """The `eventsourcing` library, one thread per caller, on a fresh SQLite file."""
    domain = peer_domain()
    app = open_peer(path)
    try:
        created = [domain.counter() for _ in range(plan.aggregates)]
        app.save(*created)  # one transaction, untimed
        ids = [counter.id for counter in created]

        def caller(index: int) -> tuple[int, int]:
            done = failed = 0
            for j in range(plan.per_caller[index]):
                target = ids[plan.target(index, j)]
                for _ in range(PEER_ATTEMPTS):
                    counter = app.repository.get(target)
                    counter.increment(1)
                    try:
                        app.save(counter)
                    except domain.conflict:  # another thread saved that version first
                        continue
                    done += 1
                    break
                else:
                    failed += 1
            return done, failed

        with ThreadPoolExecutor(max_workers=len(plan.per_caller)) as pool:
            started = time.perf_counter()
            futures = [pool.submit(caller, i) for i in range(len(plan.per_caller))]
            outcomes = [future.result() for future in futures]
            seconds = time.perf_counter() - started
    finally:
        app.close()
    return Measured(
        done=sum(done for done, _ in outcomes),
        failed=sum(failed for _, failed in outcomes),
        seconds=seconds,
    )


# -- raw sqlite3 -----------------------------------------------------------------------------------
def run_raw(path: Path, rows: int, per_transaction: int) -> Measured:
    """Insert `rows` event-shaped rows, `per_transaction` to a transaction, as fast as we can."""
    connection = sqlite3.connect(path, isolation_level=None)  # we issue BEGIN/COMMIT ourselves
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(
            "CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
            "stream TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, "
            "UNIQUE (stream, version))"
        )
        insert = "INSERT INTO events (id, stream, version, data) VALUES (?, ?, ?, ?)"
        data = '{"amount":1}'
        started = time.perf_counter()
        for first in range(0, rows, per_transaction):
            last = min(rows, first + per_transaction)
            connection.execute("BEGIN IMMEDIATE")
            # Ids are made in the loop, as the kernel makes them: generating them is part of
            # the cost, and time-ordered ids keep the unique index growing at its right edge.
            connection.executemany(
                insert,
                [
                    (
                        new_id(),
                        f"counter-{n // COMMANDS_PER_AGGREGATE}",
                        n % COMMANDS_PER_AGGREGATE + 1,
                        data,
                    )
                    for n in range(first, last)
                ],
            )
            connection.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return Measured(done=rows, seconds=seconds)


# -- dispatch overhead -----------------------------------------------------------------------------
async def run_ours_dispatch(count: int) -> Measured:
    """Our bus with no middleware and a handler that records nothing."""
    bus = CommandBus(MemoryStorage(), EventCodec(EventRegistry()), SystemClock())
    bus.register(Ping, ignore_ping)
    for n in range(min(count, 200)):  # warm caches (pydantic, the codec's fast paths)
        await bus.send(Ping(n=n))
    started = time.perf_counter()
    for n in range(count):
        await bus.send(Ping(n=n))
    return Measured(done=count, seconds=time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class PeerMediator:
    """python-cqrs's pieces for the dispatch figure, built on first use (lazy import)."""

    build: Callable[[], Any]  # a fresh RequestMediator without middleware
    request: type[Any]  # the trivial request class


@functools.cache
def peer_mediator() -> PeerMediator:
    """python-cqrs wired as its own `bootstrap` does, minus the logging middleware it adds."""
    import di
    from cqrs.bootstrap.requests import setup_event_emitter, setup_mediator
    from cqrs.container.di import DIContainer
    from cqrs.handlers.request import RequestHandler
    from cqrs.mapping.requests import RequestMap
    from cqrs.models.pydantic import PydanticRequest

    # A pydantic request, like our pydantic `Command`: both sides pay the same validation.
    class PingRequest(PydanticRequest[None]):
        n: int

    class PingHandler(RequestHandler[PingRequest, None]):
        async def handle(self, request: PingRequest) -> None:
            return None

    def commands(mapper: RequestMap[Any]) -> None:
        mapper.bind(PingRequest, PingHandler)

    def build() -> Any:
        # `bootstrap()` always appends a LoggingMiddleware; its two halves let us leave it out.
        container = DIContainer()
        container.attach_external_container(di.Container())
        emitter = setup_event_emitter(container)
        return setup_mediator(emitter, container, middlewares=[], commands_mapper=commands)

    return PeerMediator(build, PingRequest)


async def run_peer_dispatch(count: int) -> Measured:
    """python-cqrs's request mediator with no middleware and a handler that does nothing."""
    peer = peer_mediator()
    mediator = peer.build()
    request = peer.request
    for n in range(min(count, 200)):
        await mediator.send(request(n=n))
    started = time.perf_counter()
    for n in range(count):
        await mediator.send(request(n=n))
    return Measured(done=count, seconds=time.perf_counter() - started)


# -- the whole benchmark ---------------------------------------------------------------------------
@dataclass
class Figures:
    """Each figure's per-run measurements, in run order."""

    runs: dict[str, list[Measured]] = field(default_factory=dict)

    def add(self, name: str, measured: Measured) -> None:
        self.runs.setdefault(name, []).append(measured)

    def median(self, name: str) -> float:
        return statistics.median(m.rate for m in self.runs[name])

    def spread(self, name: str) -> tuple[float, float]:
        rates = [m.rate for m in self.runs[name]]
        return min(rates), max(rates)

    def failed(self, name: str) -> int:
        return sum(m.failed for m in self.runs[name])

    def median_factor(self, name: str) -> float:
        return statistics.median(m.commits_per_transaction for m in self.runs[name])


# (key in `Figures`, label, unit); the labels are short so the table fits 80 columns
_ROWS: tuple[tuple[str, str, str], ...] = (
    ("ours", "ours, distinct", "commands/s"),
    ("peer", "eventsourcing, distinct", "commands/s"),
    ("ours_shared", "ours, shared", "commands/s"),
    ("peer_shared", "eventsourcing, shared", "commands/s"),
    ("raw", "raw sqlite3, 1 row/tx", "rows/s"),
    ("raw_batched", f"raw sqlite3, {RAW_BATCH} rows/tx", "rows/s"),
    ("ours_dispatch", "ours, dispatch", "requests/s"),
    ("peer_dispatch", "python-cqrs, dispatch", "requests/s"),
)


def run_kernel_benchmark(
    *, runs: int, callers: int, commands: int, json_output: bool
) -> dict[str, float]:
    """Run every workload `runs` times, interleaved, and report the medians and ratios.

    Prints a table (or, with `json_output`, exactly one JSON object on stdout) and returns the
    same figures. Progress goes to stderr.
    """
    if runs < 1 or callers < 1 or commands < 1:
        raise ValueError("runs, callers and commands must all be at least 1")
    configure_logging("warning")  # a command's log line must cost nothing to print
    # Load the peers before anything is timed: a missing one fails now, with its name.
    peer_domain()
    peer_mediator()

    peer_commands = min(commands, max(PEER_COMMANDS_MAX, callers * COMMANDS_PER_AGGREGATE))
    plans = {
        "ours": distinct_plan(callers, commands),
        "peer": distinct_plan(callers, peer_commands),
        "ours_shared": shared_plan(callers, commands),
        "peer_shared": shared_plan(callers, peer_commands),
    }
    raw_rows = min(commands, RAW_SINGLE_ROWS_MAX)
    dispatches = commands * DISPATCH_PER_COMMAND
    figures = Figures()
    durability = ("?", "?")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="journey-bench-") as scratch:
        for run in range(runs):
            _progress(f"run {run + 1}/{runs}")
            folder = Path(scratch) / f"run{run}"
            folder.mkdir()
            figures.add("ours", asyncio.run(run_ours(folder / "ours.db", plans["ours"])))
            figures.add("peer", run_peer(folder / "peer.db", plans["peer"]))
            figures.add(
                "ours_shared",
                asyncio.run(run_ours(folder / "ours-shared.db", plans["ours_shared"])),
            )
            figures.add("peer_shared", run_peer(folder / "peer-shared.db", plans["peer_shared"]))
            figures.add("raw", run_raw(folder / "raw.db", raw_rows, 1))
            figures.add("raw_batched", run_raw(folder / "raw-batched.db", commands, RAW_BATCH))
            figures.add("ours_dispatch", asyncio.run(run_ours_dispatch(dispatches)))
            figures.add("peer_dispatch", asyncio.run(run_peer_dispatch(dispatches)))
            if run == 0:
                durability = peer_durability(folder / "peer.db")
    elapsed = time.perf_counter() - began

    result = _summary(figures, durability, runs=runs, callers=callers, commands=commands)
    result["peer_commands"] = float(peer_commands)
    result["seconds"] = round(elapsed, 1)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        _print_report(figures, result, durability)
    return result


def _summary(
    figures: Figures, durability: tuple[str, str], *, runs: int, callers: int, commands: int
) -> dict[str, float]:
    ours, peer = figures.median("ours"), figures.median("peer")
    ours_shared, peer_shared = figures.median("ours_shared"), figures.median("peer_shared")
    raw = figures.median("raw")
    ours_dispatch, peer_dispatch = figures.median("ours_dispatch"), figures.median("peer_dispatch")
    mode, level = durability
    return {
        "ours_cmds_per_s": round(ours, 1),
        "peer_cmds_per_s": round(peer, 1),
        "ratio_vs_peer": round(_ratio(ours, peer), 2),
        "ours_shared_cmds_per_s": round(ours_shared, 1),
        "peer_shared_cmds_per_s": round(peer_shared, 1),
        "ratio_vs_peer_shared": round(_ratio(ours_shared, peer_shared), 2),
        "raw_rows_per_s": round(raw, 1),
        "raw_batched_rows_per_s": round(figures.median("raw_batched"), 1),
        "ratio_vs_raw": round(_ratio(ours, raw), 2),
        "ours_dispatch_per_s": round(ours_dispatch, 1),
        "peer_dispatch_per_s": round(peer_dispatch, 1),
        "ratio_dispatch": round(_ratio(ours_dispatch, peer_dispatch), 2),
        "commits_per_transaction": round(figures.median_factor("ours"), 2),
        "commits_per_transaction_shared": round(figures.median_factor("ours_shared"), 2),
        "ours_shared_failed": float(figures.failed("ours_shared")),
        "peer_shared_failed": float(figures.failed("peer_shared")),
        "peer_wal": 1.0 if mode == "WAL" else 0.0,
        "peer_synchronous_full": 1.0 if level == "FULL" else 0.0,
        "runs": float(runs),
        "callers": float(callers),
        "commands": float(commands),
    }


def _ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs > 0 else math.inf


def _print_report(figures: Figures, result: dict[str, float], durability: tuple[str, str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"Kernel benchmark: medians of {int(result['runs'])} interleaved runs",
        caption=(
            f"{int(result['callers'])} callers; {int(result['commands'])} commands a run "
            f"(eventsourcing: {int(result['peer_commands'])})"
        ),
    )
    table.add_column("workload")
    table.add_column("median", justify="right")
    table.add_column("min … max", justify="right")
    table.add_column("unit")
    for key, label, unit in _ROWS:
        low, high = figures.spread(key)
        table.add_row(label, f"{figures.median(key):,.0f}", f"{low:,.0f} … {high:,.0f}", unit)
    console.print(table)
    mode, level = durability
    lines = (
        f"ours / eventsourcing (distinct):     {result['ratio_vs_peer']:.2f}x",
        f"ours / eventsourcing (shared):       {result['ratio_vs_peer_shared']:.2f}x",
        f"ours / raw 1 row per transaction:    {result['ratio_vs_raw']:.2f}x",
        f"ours / python-cqrs (dispatch):       {result['ratio_dispatch']:.2f}x",
        f"group commit (commits/transaction):  {result['commits_per_transaction']:.1f} distinct, "
        f"{result['commits_per_transaction_shared']:.1f} shared",
        f"failed for good (shared, all runs):  ours {int(result['ours_shared_failed'])}, "
        f"eventsourcing {int(result['peer_shared_failed'])}",
        f"eventsourcing's SQLite:              journal_mode={mode}, synchronous={level}",
        f"wall time:                           {result['seconds']:.0f} s",
    )
    for line in lines:
        console.print(line, highlight=False)


def _progress(message: str) -> None:
    # stderr, so that `--json` leaves exactly one object on stdout
    print(f"[bench] {message}", file=sys.stderr, flush=True)


__all__ = ["run_kernel_benchmark"]
