"""A worker of the test's own beside `journey serve`: a read model with a bug, run on the served
store, so an operator has a real dead letter to redrive. The app has no way to make failures
(and gets none): the letter is parked by the kernel's own subscription, exactly as one of the
server's consumers would park it.

Like any worker, it shares the store with the server (SQLite allows several processes) and
processes the redrives an operator asks for. It runs when the test says so (`catch_up`), so the
test knows when the failure happened and when the redriven event ran again.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from journey.bootstrap import bootstrap
from journey.command_side.stock.events import STOCK_EVENTS, PlasticsReceived
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event
from journey.cqrs.module import Module
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope
from journey.settings import Settings


class BatchAudit(Projection):
    """Every batch of plastics received, for an audit; fails on the batch refs in `broken` (the
    bug), as often as it is asked to."""

    name = "browser_batch_audit"
    collections = ("browser_batch_audit",)
    event_types: ClassVar[frozenset[str] | None] = frozenset({PlasticsReceived.event_type})

    def __init__(self) -> None:
        self.broken: set[str] = set()
        self.audited: list[str] = []

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        assert isinstance(event, PlasticsReceived)
        if event.batch_ref in self.broken:
            raise RuntimeError("the audit cannot read this batch reference (a bug)")
        tx.put(self.collections[0], event.batch_ref, {"design": event.design_code})
        self.audited.append(event.batch_ref)


class AuditWorker:
    """Runs `BatchAudit` over the store at `database` (the server's event store)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.audit = BatchAudit()

    def catch_up(self) -> None:
        """Process the operator's redrive requests, then the log up to its head, once.

        On a thread of its own: Playwright's sync API keeps an event loop running on this one.
        """
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, self._catch_up()).result(timeout=60)

    async def _catch_up(self) -> None:
        settings = Settings(event_store=f"sqlite:///{self.database}", key_store="memory")
        module = Module(name="browser_audit", events=STOCK_EVENTS, projections=[self.audit])
        kernel = await bootstrap(settings, modules=[module])
        try:
            await kernel.projections.catch_up(self.audit.name)
        finally:
            await kernel.close()
