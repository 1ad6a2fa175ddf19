"""Drives the demo: the platform on a fast clock, the customers and analysts around it.

The clock is a `ManualClock` moved from one due moment to the next (a timer, a carrier's
webhook, a customer's action), like a discrete-event simulation: days of bureau turnaround and
delivery pass in moments while every command, event, timer and email is real. Wall time is
measured too: how long each journey took to run, not to live.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from journey.command_side.notifications import SmtpSettings
from journey.command_side.payments.service import SimulatedPayments
from journey.command_side.stock import ReceivePlastics
from journey.cqrs.clock import ManualClock
from journey.demo.actors import OBSERVED, Actors
from journey.demo.applicants import application_for
from journey.demo.scenarios import SCARCE_DESIGN, Casting, Scenario, cast
from journey.onboarding.read_models import JOURNEYS
from journey.platform import Platform, WorldSettings, build_platform
from journey.settings import Settings

WAITING_ON_PERSON = frozenset({"referred", "offered", "delivered"})  # analyst or customer
BUREAUS = ("bureau-a", "bureau-b")
MAX_ROUNDS = 200_000
# What a look at a journey still going needs: what the people act on, and whether it is over.
LOOKED_AT = (*OBSERVED, "stuck")


@dataclass
class DemoOptions:
    customers: int = 200
    seed: int = 7
    store: str = "sqlite"  # "sqlite" (a fresh temporary store) or "memory"
    # A throwaway store need not survive a power cut: NORMAL skips the fsync per commit (a
    # crashed process still loses nothing). The benchmark measures the default, FULL.
    synchronous: Literal["FULL", "NORMAL"] = "NORMAL"
    mix: dict[Scenario, float] | None = None  # None: the realistic mix (scenarios.MIX)
    rf_defect_rate: float = 0.03
    misprint_rate: float = 0.02


@dataclass
class JourneyOutcome:
    application_id: str
    scenario: Scenario
    journey: dict[str, Any]
    wall_ms: float  # submitted to finished (or waiting on a person), in wall time
    lived_hours: float  # the same, in the journey's own (simulated) time


@dataclass
class DemoRun:
    """What happened: each journey's end, the platform to inspect, and the wall time."""

    options: DemoOptions
    castings: list[Casting]
    outcomes: list[JourneyOutcome]
    seconds: float
    rounds: int
    platform: Platform
    payments: SimulatedPayments
    simulated_days: float
    stalled: list[str] = field(default_factory=list)  # not finished and nothing left to wait for


async def run_demo(
    options: DemoOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    workdir: Path | None = None,
    on_platform: Callable[[Platform], None] | None = None,
) -> DemoRun:
    """Run the demo to its end; the caller closes `run.platform` when done inspecting it.
    `on_platform` sees the platform before any customer applies (the benchmark counts with it).
    """
    castings = cast(_population(), options.customers, options.seed, options.mix)
    directory = workdir or Path(tempfile.mkdtemp(prefix="journey-demo-"))
    settings = (
        Settings(event_store="memory", key_store="memory")
        if options.store == "memory"
        else Settings(
            event_store=f"sqlite:///{directory / 'events.db'}",
            key_store=f"sqlite:///{directory / 'keys.db'}",
            sqlite_synchronous=options.synchronous,
        )
    )
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    payments = SimulatedPayments()
    platform = await build_platform(
        settings,
        world=WorldSettings(
            seed=options.seed,
            rf_defect_rate=options.rf_defect_rate,
            misprint_rate=options.misprint_rate,
        ),
        clock=clock,
        payments=payments,
        smtp=SmtpSettings(port=0, sink_capacity=max(500, options.customers * 8)),
        seed_stock_batch=False,
    )
    try:
        if on_platform is not None:
            on_platform(platform)
        return await _Drive(options, castings, platform, payments, clock, progress).run()
    except BaseException:
        await platform.close()
        raise


def _population() -> Any:
    from journey.query_side.population import default_population

    return default_population()


class _Drive:
    def __init__(
        self,
        options: DemoOptions,
        castings: list[Casting],
        platform: Platform,
        payments: SimulatedPayments,
        clock: ManualClock,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.options = options
        self.castings = castings
        self.platform = platform
        self.kernel = platform.kernel
        self.payments = payments
        self.clock = clock
        self.progress = progress or (lambda done, total: None)
        self.actors = Actors(castings, options.seed)
        self.by_id = {casting.application_id: casting for casting in castings}
        self.submitted_wall: dict[str, float] = {}
        self.submitted_at: dict[str, datetime] = {}
        self.finished: dict[str, JourneyOutcome] = {}
        self.open: set[str] = set()
        self.last_status: dict[str, str] = {}
        self.rounds = 0

    async def run(self) -> DemoRun:
        started = time.perf_counter()
        start_time = self.clock.now()
        await self._stock()
        by_scenario = [c for c in self.castings if c.scenario is not Scenario.BUREAU_DOWN]
        await self._submit(by_scenario)
        await self.kernel.settle()
        # The bureaus go down for a while: whoever applies now is screened without them.
        await self._bureaus(down=True)
        await self._submit([c for c in self.castings if c.scenario is Scenario.BUREAU_DOWN])
        await self.kernel.settle()
        await self._bureaus(down=False)
        stalled: list[str] = []
        for application_id in await self._loop():
            journey = await self.kernel.storage.get_document(JOURNEYS, application_id)
            journey = journey or {"status": "missing", "done": False, "stuck": None}
            if journey["status"] not in WAITING_ON_PERSON:
                stalled.append(application_id)
            self._finish(application_id, journey)
        seconds = time.perf_counter() - started
        outcomes = [self.finished[c.application_id] for c in self.castings]
        return DemoRun(
            options=self.options,
            castings=self.castings,
            outcomes=outcomes,
            seconds=seconds,
            rounds=self.rounds,
            platform=self.platform,
            payments=self.payments,
            simulated_days=(self.clock.now() - start_time).total_seconds() / 86_400,
            stalled=stalled,
        )

    async def _stock(self) -> None:
        """Plenty of every design, except the scarce one: fewer than those who will want it."""
        wanting_scarce = sum(1 for c in self.castings if c.design_code == SCARCE_DESIGN)
        plenty = self.options.customers * 2 + 20
        for design in self.platform.query_side.prequalifier.catalog.designs:
            quantity = max(1, wanting_scarce // 2) if design.code == SCARCE_DESIGN else plenty
            await self.kernel.commands.send(
                ReceivePlastics(design_code=design.code, quantity=quantity, batch_ref="DEMO1")
            )

    async def _submit(self, castings: list[Casting]) -> None:
        for casting in castings:
            if casting.scenario is Scenario.FEE_REFUSED:
                self.payments.refuse(f"{casting.application_id}-acc")
            self.submitted_wall[casting.application_id] = time.perf_counter()
            self.submitted_at[casting.application_id] = self.clock.now()
            self.open.add(casting.application_id)
            await self.kernel.commands.send(
                application_for(
                    casting.person,
                    application_id=casting.application_id,
                    product_code=casting.product_code,
                    design_code=casting.design_code,
                )
            )

    async def _bureaus(self, *, down: bool) -> None:
        simulators = self.platform.query_side.simulators
        if simulators is None:
            return
        for name in BUREAUS:
            simulators.knobs[name].down = down

    async def _loop(self) -> list[str]:
        total = len(self.castings)
        while self.rounds < MAX_ROUNDS:
            self.rounds += 1
            await self.kernel.settle(max_rounds=10_000)
            await self._look()
            self.progress(len(self.finished), total)
            commands = self.actors.due(self.clock.now())
            if commands:
                for command in commands:
                    await self.kernel.commands.send(command)
                continue
            if not self.open:
                return []
            next_at = _earliest(await self.kernel.storage.next_due_at(), self.actors.next_at())
            if next_at is None:
                return sorted(self.open)  # nothing left that could move them
            if next_at > self.clock.now():
                self.clock.set(next_at)
        return sorted(self.open)

    async def _look(self) -> None:
        now = self.clock.now()
        # One query for the journeys still going (the store is the demo's own), not one per
        # open journey, and only the fields a look needs: decoding every open journey's whole
        # timeline each round was a fifth of a 200-customer demo. A journey that is over (or
        # flagged) is read whole, by itself, once.
        going = {
            str(journey["application_id"]): journey
            for journey in await self.kernel.storage.find_documents(
                JOURNEYS,
                where={"done": False},
                limit=len(self.castings) + 1000,
                fields=LOOKED_AT,
            )
        }
        for application_id in list(self.open):
            journey = going.get(application_id)
            if journey is None or self._settled(journey):
                journey = await self.kernel.storage.get_document(JOURNEYS, application_id)
            if journey is None:
                continue
            if self.last_status.get(application_id) != journey["status"]:
                self.last_status[application_id] = journey["status"]
                self.actors.observe(journey, now)
            if self._settled(journey):
                self._finish(application_id, journey)

    @staticmethod
    def _settled(journey: dict[str, Any]) -> bool:
        """Over, or flagged for an operator (the demo's people act on everything else)."""
        return bool(journey["done"] or journey["stuck"])

    def _finish(self, application_id: str, journey: dict[str, Any]) -> None:
        self.open.discard(application_id)
        casting = self.by_id[application_id]
        lived = self.clock.now() - self.submitted_at[application_id]
        self.finished[application_id] = JourneyOutcome(
            application_id=application_id,
            scenario=casting.scenario,
            journey=journey,
            wall_ms=(time.perf_counter() - self.submitted_wall[application_id]) * 1000,
            lived_hours=lived.total_seconds() / 3600,
        )


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None
