"""The whole platform on one kernel: every service of the journey, and the outside world it
talks to (simulated on the embedded default).

`journey serve`, `journey demo` and `journey bench journey` all start here. Each service is a
module that talks to the others only through commands and events, so any of them can later run
in its own worker; here they share one process, one log and one clock.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from journey.bootstrap import bootstrap, open_storage
from journey.command_side.customer_records import customer_records_module
from journey.command_side.issuance.module import issuance_module
from journey.command_side.issuance.personalization import (
    PersonalizationBureau,
    SimulatedPersonalizationBureau,
)
from journey.command_side.logistics import (
    Carrier,
    CarrierSettings,
    carrier_from_settings,
    logistics_module,
)
from journey.command_side.notifications import (
    Mailer,
    NotificationSettings,
    SimulatedSms,
    SmsSender,
    SmtpMailer,
    SmtpSettings,
    SmtpSink,
    notifications_module,
)
from journey.command_side.payments.service import (
    PaymentsGateway,
    SimulatedPayments,
    payments_module,
)
from journey.command_side.stock import StockSettings, seed_stock, stock_module
from journey.cqrs.clock import Clock, SystemClock
from journey.cqrs.privacy.keystore import KeyStore
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.port import Storage
from journey.onboarding.module import onboarding_module
from journey.onboarding.saga import Deadlines
from journey.query_side.assembly import QuerySide, attach_query_side, build_query_side
from journey.settings import Settings
from journey.testbench.embedded import EmbeddedStation, EmbeddedStationOptions, NoStation
from journey.testbench.integration import CardTester, testbench_module


class WorldSettings(BaseSettings):
    """The simulated outside world of the command side (env prefix `JOURNEY_WORLD_`): the
    personalization bureau, the RF station's simulated plastics, the offer's validity."""

    model_config = SettingsConfigDict(env_prefix="JOURNEY_WORLD_", extra="ignore")

    seed: int = 1
    misprint_rate: float = Field(0.02, ge=0, le=1, description="bureau misprints (simulated)")
    turnaround_hours: float = Field(6.0, ge=0, description="bureau turnaround (simulated)")
    poll_minutes: float = Field(60.0, gt=0, description="how often the bureau is asked")
    rf_defect_rate: float = Field(0.03, ge=0, le=1, description="plastics with an RF defect")
    rf_fast: bool = Field(True, description="simulated instruments wait 1/100 of real time")
    station_file: Path | None = Field(None, description="a real station's TOML (no simulator)")
    offer_validity_days: float = Field(7.0, gt=0)


@dataclass
class Platform:
    """A running platform: the kernel and the adapters it was built with (tests and the demo
    reach into the simulators through these)."""

    kernel: Kernel
    query_side: QuerySide
    payments: PaymentsGateway
    bureau: PersonalizationBureau
    carrier: Carrier
    mailer: Mailer
    sms: SmsSender
    sink: SmtpSink | None
    station: EmbeddedStation | None
    tester: CardTester

    async def close(self) -> None:
        """Stop the background work and release everything, the kernel last."""
        try:
            await self.kernel.stop()
            if self.station is not None:
                await self.station.close()
            close_mailer = getattr(self.mailer, "aclose", None)
            if close_mailer is not None:
                await close_mailer()  # before the sink: a clean QUIT on kept connections
            if self.sink is not None:
                await self.sink.stop()
            aclose = getattr(self.carrier, "aclose", None)
            if aclose is not None:
                await aclose()
            await self.query_side.close()
        finally:
            await self.kernel.close()


async def build_platform(
    settings: Settings | None = None,
    *,
    world: WorldSettings | None = None,
    clock: Clock | None = None,
    storage: Storage | None = None,
    keys: KeyStore | None = None,
    deadlines: Deadlines | None = None,
    mailer: Mailer | None = None,
    sms: SmsSender | None = None,
    smtp: SmtpSettings | None = None,
    tester: CardTester | None = None,
    carrier: Carrier | None = None,
    payments: PaymentsGateway | None = None,
    bureau: PersonalizationBureau | None = None,
    stock: StockSettings | None = None,
    command_retry: RetryPolicy | None = None,
    seed_stock_batch: bool = True,
    offline: bool = False,
) -> Platform:
    """Build every service from settings; any adapter passed in is used as is.

    Without a `mailer`, email goes over SMTP; when the SMTP settings point at this machine, a
    local sink is started to receive it (what `journey serve` shows). Without a `tester`, the
    embedded RF station is opened (simulated unless `world.station_file` names a real one).
    `offline` (operator commands on a store a server uses): no sink, no station, no seeding.
    """
    settings = settings or Settings()
    world = world or WorldSettings()
    clock = clock or SystemClock()
    storage = storage or await open_storage(settings)
    stock = stock or StockSettings()
    async with AsyncExitStack() as undo:  # what was started is stopped if a later part fails
        undo.push_async_callback(storage.close)
        query_side = build_query_side(settings, storage=storage, clock=clock)
        undo.push_async_callback(query_side.close)
        sink: SmtpSink | None = None
        if mailer is None:
            smtp = smtp or SmtpSettings()
            if smtp.runs_local_sink and not offline:
                sink = SmtpSink.from_settings(smtp)
                await sink.start()
                undo.push_async_callback(sink.stop)
                smtp = smtp.model_copy(update={"port": sink.port})
            mailer = SmtpMailer(smtp)
        station: EmbeddedStation | None = None
        if tester is None and offline:
            tester = NoStation()
        if tester is None:
            station = await EmbeddedStation.open(
                EmbeddedStationOptions(
                    station_file=world.station_file,
                    seed=world.seed,
                    defect_rate=world.rf_defect_rate,
                    fast=world.rf_fast,
                )
            )
            undo.push_async_callback(station.close)
            tester = station
        carrier = carrier or carrier_from_settings(CarrierSettings())
        payments = payments or SimulatedPayments()
        bureau = bureau or SimulatedPersonalizationBureau(
            turnaround=timedelta(hours=world.turnaround_hours),
            misprint_rate=world.misprint_rate,
            clock=clock,
        )
        sms = sms or SimulatedSms()
        modules = [
            issuance_module(
                prequalifier=query_side.prequalifier,
                bureau=bureau,
                offer_validity=timedelta(days=world.offer_validity_days),
                poll_every=timedelta(minutes=world.poll_minutes),
                include_testbench_events=False,
            ),
            stock_module(stock),
            payments_module(payments),
            logistics_module(carrier),
            notifications_module(mailer=mailer, sms=sms, settings=NotificationSettings()),
            customer_records_module(
                crm=query_side.crm_port(), cdp=query_side.cdp_port(), lookups=query_side
            ),
            testbench_module(tester),
            onboarding_module(deadlines),
        ]
        kernel = await bootstrap(
            settings,
            modules=modules,
            storage=storage,
            keys=keys,
            clock=clock,
            command_retry=command_retry,
        )
        attach_query_side(kernel, query_side)
        if seed_stock_batch and not offline:
            await seed_stock(kernel.commands, settings=stock)
        undo.pop_all()  # all built: the platform owns them now
    return Platform(
        kernel=kernel,
        query_side=query_side,
        payments=payments,
        bureau=bureau,
        carrier=carrier,
        mailer=mailer,
        sms=sms,
        sink=sink,
        station=station,
        tester=tester,
    )
