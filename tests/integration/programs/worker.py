"""A worker process for crash tests: runs a scenario on a SQLite file, maybe dies on purpose.

    python -m tests.integration.programs.worker <scenario> <db path> [crash point]

Scenarios:
- `project`: run the BalanceTotals projection to the end of the log; SIGKILL itself when it
  reaches the log position given as crash point.
- `saga`: settle the kernel with the card-issuance saga; SIGKILL itself when the `Act` handler
  is asked to do the step given as crash point (after earlier steps committed).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from journey.bootstrap import bootstrap
from journey.cqrs.module import Module
from journey.cqrs.privacy.keystore import MemoryKeyStore
from journey.cqrs.store.sqlite import SqliteStorage
from journey.cqrs.unit_of_work import UnitOfWork
from journey.settings import Settings
from tests.support import sagas
from tests.support.kernel import ACCOUNTS
from tests.support.projections import BalanceTotals


async def project(db: Path, crash_at: int | None) -> None:
    storage = await SqliteStorage(db).open()
    module = Module(name="totals", projections=[BalanceTotals(crash_at)])
    kernel = await bootstrap(
        Settings(event_store="memory", key_store="memory"),
        modules=[ACCOUNTS, module],
        storage=storage,
        keys=MemoryKeyStore(),
    )
    await kernel.projections.catch_up("balance_totals")
    await kernel.close()


async def saga(db: Path, crash_step: str | None) -> None:
    storage = await SqliteStorage(db).open()

    async def act(command: sagas.Act, uow: UnitOfWork) -> object:
        if command.step == crash_step:
            os.kill(os.getpid(), signal.SIGKILL)
        return await sagas.act(command, uow)

    module = Module(
        name="orders",
        events=sagas.SAGA_TEST_EVENTS,
        commands={sagas.PlaceOrder: sagas.place_order, sagas.Act: act},
        sagas=[sagas.CardIssuance()],
    )
    kernel = await bootstrap(
        Settings(event_store="memory", key_store="memory"),
        modules=[module],
        storage=storage,
        keys=MemoryKeyStore(),
    )
    await kernel.settle()
    await kernel.close()


def main() -> None:
    scenario, db = sys.argv[1], Path(sys.argv[2])
    point = sys.argv[3] if len(sys.argv) > 3 else None
    if scenario == "project":
        asyncio.run(project(db, int(point) if point else None))
    elif scenario == "saga":
        asyncio.run(saga(db, point))
    else:
        raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main()
