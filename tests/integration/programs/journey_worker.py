"""A process running one customer's whole journey on SQLite; it may SIGKILL itself on purpose.

    python -m tests.integration.programs.journey_worker <dir> <smtp port> [before:|after:<Cmd>]

The platform is built on `<dir>/events.db` and `<dir>/keys.db`; its simulated clock is kept in
`<dir>/clock.txt`, so a restarted process goes on at the moment the killed one had reached.
Email goes over SMTP to the test's sink; fees go to a processor that keeps its ledger in
`<dir>/charges.txt` (a real processor outlives our process too). With a crash point the
process kills itself the first time that command type is about to be handled (`before:`) or
has just been committed (`after:`). Without one it runs the journey to its end and exits 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from journey.command_side.logistics import SimulatedCarrier
from journey.command_side.notifications import SmtpSettings
from journey.command_side.payments.service import SimulatedPayments
from journey.cqrs.bus.command_bus import CommandResult, Dispatch, Next
from journey.cqrs.clock import ManualClock
from journey.platform import build_platform
from journey.settings import Settings
from tests.support.journey import CALM_CARRIER, FAST_RETRY, Journeys, ScriptedTester, person

APPLICATION = "app-crash"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class LedgerPayments(SimulatedPayments):
    """The simulated processor, with its ledger of charges on disk (one line per charge)."""

    def __init__(self, ledger: Path) -> None:
        super().__init__()
        self._ledger = ledger
        if ledger.exists():
            for line in ledger.read_text().splitlines():
                payment_id, amount_minor, currency = line.split()
                self.charges[payment_id] = (int(amount_minor), currency)

    async def charge(
        self, payment_id: str, account_id: str, amount_minor: int, currency: str
    ) -> str:
        known = payment_id in self.charges
        reference = await super().charge(payment_id, account_id, amount_minor, currency)
        if not known:
            with self._ledger.open("a") as ledger:
                ledger.write(f"{payment_id} {amount_minor} {currency}\n")
        return reference


class CrashAt:
    """Command middleware: SIGKILL before or after the first command of a type."""

    def __init__(self, point: str) -> None:
        self.when, _, self.command_type = point.partition(":")

    async def __call__(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        if dispatch.command.command_type != self.command_type:
            return await call_next(dispatch)
        if self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = await call_next(dispatch)
        os.kill(os.getpid(), signal.SIGKILL)
        return result


async def main(directory: Path, smtp_port: int, crash: str | None) -> None:
    clock_file = directory / "clock.txt"
    started = datetime.fromisoformat(clock_file.read_text()) if clock_file.exists() else START
    clock = ManualClock(started)
    platform = await build_platform(
        Settings(
            event_store=f"sqlite:///{directory / 'events.db'}",
            key_store=f"sqlite:///{directory / 'keys.db'}",
        ),
        clock=clock,
        smtp=SmtpSettings(port=smtp_port, sink=False),
        tester=ScriptedTester(),
        payments=LedgerPayments(directory / "charges.txt"),
        carrier=SimulatedCarrier(CALM_CARRIER),
        command_retry=FAST_RETRY,
        seed_stock_batch=False,
    )
    world = Journeys(platform, clock, ScriptedTester())
    if crash is not None:
        platform.kernel.commands.use(CrashAt(crash))
    try:
        await world.stock("gold-sun", 5, batch="CRASH1")  # idempotent for its batch
        await world.apply(APPLICATION, person(country="PE"))
        while True:
            await platform.kernel.settle(max_rounds=10_000)
            journey = await world.journey(APPLICATION)
            if journey["done"]:
                return
            if journey["status"] == "offered":
                await world.accept(APPLICATION)
                continue
            if journey["status"] == "delivered":
                await world.activate(APPLICATION)
                continue
            due = await platform.kernel.storage.next_due_at()
            if due is None:
                raise SystemExit(f"the journey stopped at {journey['status']}")
            if due > clock.now():
                clock.set(due)
                clock_file.write_text(clock.now().isoformat())
    finally:
        await platform.close()


if __name__ == "__main__":
    asyncio.run(
        main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    )
