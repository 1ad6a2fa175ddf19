"""The whole platform for journey tests: in memory, on a manual clock, with a scripted RF tester
and a carrier that behaves as each test needs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any

from journey.command_side.issuance.agreements import agreement
from journey.command_side.issuance.commands import AcceptAgreement, ActivateCard
from journey.command_side.logistics import CarrierBehaviour, SimulatedCarrier
from journey.command_side.notifications import MemoryMailer
from journey.command_side.payments.service import SimulatedPayments
from journey.command_side.stock import ReceivePlastics
from journey.cqrs.clock import ManualClock
from journey.cqrs.messages import Command
from journey.cqrs.privacy.keystore import MemoryKeyStore
from journey.cqrs.records import StoredEvent
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.port import Storage
from journey.demo.applicants import application_for
from journey.onboarding.read_models import JOURNEYS
from journey.onboarding.saga import Deadlines
from journey.platform import Platform, WorldSettings, build_platform
from journey.query_side.population import Person, default_population
from journey.settings import Settings
from journey.testbench.sequences.measurements import Limit, Measured, Outcome
from journey.testbench.sequences.record import Attempt, PhaseRecord, TestRecord, Verdict

CALM_CARRIER = CarrierBehaviour(
    return_rate=0.0, delay_rate=0.0, duplicate_rate=0.0, reorder_rate=0.0
)
FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=1.0, max_delay=5.0, jitter=0.0)


class ScriptedTester:
    """The RF station's port, answering from a script: the first `fail_first` cards fail their
    resonance measurement, every later one passes. (The real station is tested on its own.)"""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.tested: list[str] = []

    async def test_card(self, dut_id: str) -> TestRecord:
        self.tested.append(dut_id)
        fails = len(self.tested) <= self.fail_first
        value = 12.2e6 if fails else 13.9e6
        limit = Limit(low=13.3e6, high=14.6e6)
        outcome, marginal = limit.judge(value)
        now = time.time()
        attempt = Attempt(
            1,
            now,
            now,
            Verdict.FAIL if outcome is Outcome.FAIL else Verdict.PASS,
            [Measured("resonance_frequency", value, "Hz", outcome, marginal, limit)],
        )
        return TestRecord(
            record_id=f"rec-{len(self.tested)}",
            station_id="scripted",
            dut_id=dut_id,
            position=1,
            started_at=now,
            ended_at=now,
            phases=[PhaseRecord("resonance", ("vna",), "vna-coil", [attempt])],
        )


def person(**wanted: object) -> Person:
    """Someone from the simulators' population: valid, creditworthy unless told otherwise."""
    defaults: dict[str, object] = {"registry_status": "VALID", "pep_role": None}
    defaults.update(wanted)
    population = default_population()
    for candidate in population.people:
        credit = candidate.credit
        if (
            all(getattr(candidate, key) == value for key, value in defaults.items())
            and candidate.namesake_of is None
            and credit.score is not None
            and credit.score >= 760
            and not credit.thin
            and not credit.public_records
        ):
            return candidate
    raise LookupError(wanted)


class Journeys:
    """A platform under test and the people around it."""

    def __init__(self, platform: Platform, clock: ManualClock, tester: ScriptedTester) -> None:
        self.platform = platform
        self.kernel = platform.kernel
        self.clock = clock
        self.tester = tester

    @property
    def storage(self) -> Storage:
        return self.kernel.storage

    @property
    def payments(self) -> SimulatedPayments:
        assert isinstance(self.platform.payments, SimulatedPayments)
        return self.platform.payments

    @property
    def mailer(self) -> MemoryMailer:
        assert isinstance(self.platform.mailer, MemoryMailer)
        return self.platform.mailer

    async def send(self, command: Command) -> Any:
        return (await self.kernel.commands.send(command)).value

    async def stock(self, design: str, quantity: int, batch: str = "T1") -> None:
        await self.send(ReceivePlastics(design_code=design, quantity=quantity, batch_ref=batch))

    async def apply(
        self,
        application_id: str,
        who: Person | None = None,
        *,
        product: str = "GOLD",
        design: str = "gold-sun",
    ) -> None:
        await self.send(
            application_for(
                who or person(),
                application_id=application_id,
                product_code=product,
                design_code=design,
            )
        )

    async def accept(self, application_id: str) -> None:
        text = agreement()
        await self.send(
            AcceptAgreement(
                application_id=application_id, text_version=text.version, text_hash=text.sha256
            )
        )

    async def accepted(self, application_id: str, who: Person | None = None) -> None:
        """Apply for a Gold card, wait for the offer, accept it."""
        await self.apply(application_id, who)
        assert await self.run_until_status(application_id, "offered") == "offered"
        await self.accept(application_id)

    async def activate(self, application_id: str) -> None:
        journey = await self.journey(application_id)
        await self.send(ActivateCard(card_id=journey["card_id"]))

    async def journey(self, application_id: str) -> dict[str, Any]:
        found = await self.storage.get_document(JOURNEYS, application_id)
        assert found is not None, f"no journey {application_id}"
        return found

    async def status(self, application_id: str) -> str:
        return str((await self.journey(application_id))["status"])

    async def run(
        self,
        until: Callable[[], Awaitable[bool]] | None = None,
        *,
        days: float = 30,
    ) -> None:
        """Settle, then move the clock to the next due moment, until `until` holds or `days`
        of simulated time have passed (without `until`, the clock ends `days` later)."""
        horizon = self.clock.now() + timedelta(days=days)
        while True:
            await self.kernel.settle(max_rounds=10_000)
            if until is not None and await until():
                return
            due = await self.storage.next_due_at()
            if due is None or due > horizon:
                if until is None and horizon > self.clock.now():
                    self.clock.set(horizon)  # the days pass even when nothing happens
                    await self.kernel.settle(max_rounds=10_000)
                return
            if due > self.clock.now():
                self.clock.set(due)

    async def run_until_status(self, application_id: str, *statuses: str, days: float = 30) -> str:
        async def reached() -> bool:
            return await self.status(application_id) in statuses

        await self.run(reached, days=days)
        return await self.status(application_id)

    async def events(self, *types: str) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        position = 0
        while page := await self.storage.read_all(
            after_position=position, limit=1000, event_types=types or None
        ):
            found.extend(page)
            position = page[-1].position
        return found

    async def decoded(self, *types: str) -> list[Any]:
        return [(await self.kernel.codec.decode(e)).event for e in await self.events(*types)]

    async def close(self) -> None:
        await self.platform.close()


async def journeys(
    *,
    fail_first: int = 0,
    carrier: CarrierBehaviour = CALM_CARRIER,
    deadlines: Deadlines | None = None,
    misprint_rate: float = 0.0,
    storage: Storage | None = None,
    stock: Iterable[tuple[str, int]] = (("gold-sun", 10), ("classic-blue", 10)),
    **world: Any,
) -> Journeys:
    clock = ManualClock()
    tester = ScriptedTester(fail_first)
    platform = await build_platform(
        Settings(event_store="memory", key_store="memory"),
        world=WorldSettings(misprint_rate=misprint_rate, **world),
        clock=clock,
        storage=storage or MemoryStorage(),
        keys=MemoryKeyStore(),
        mailer=MemoryMailer(),
        tester=tester,
        carrier=SimulatedCarrier(carrier),
        deadlines=deadlines,
        command_retry=FAST_RETRY,
        seed_stock_batch=False,
    )
    harness = Journeys(platform, clock, tester)
    for design, quantity in stock:
        await harness.stock(design, quantity)
    return harness
