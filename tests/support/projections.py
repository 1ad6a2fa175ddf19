"""Read models used by the kernel tests."""

from __future__ import annotations

import os
import signal
from typing import ClassVar

from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope
from tests.support.domain import MoneyDeposited

BROKEN_STREAMS: set[str] = set()  # streams whose events make BalanceTotals fail


class BalanceTotals(Projection):
    """Sums deposits per account and overall; counts every event it applied."""

    name = "balance_totals"
    collections = ("balances", "totals")
    event_types: ClassVar[frozenset[str] | None] = frozenset({MoneyDeposited.event_type})

    def __init__(self, crash_at_position: int | None = None) -> None:
        self.crash_at_position = crash_at_position
        self.applied = 0

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        if envelope.position == self.crash_at_position:
            os.kill(os.getpid(), signal.SIGKILL)  # die mid-batch, as a power cut would
        if envelope.stream_id in BROKEN_STREAMS:
            raise RuntimeError("this read model has a bug for this account")
        event = envelope.event
        assert isinstance(event, MoneyDeposited)
        balance = await tx.get("balances", envelope.stream_id) or {"total": 0, "deposits": 0}
        balance["total"] += event.amount
        balance["deposits"] += 1
        balance["order"] = [*balance.get("order", []), envelope.stream_version]
        tx.put("balances", envelope.stream_id, balance)
        totals = await tx.get("totals", "all") or {"total": 0, "deposits": 0}
        totals["total"] += event.amount
        totals["deposits"] += 1
        tx.put("totals", "all", totals)
        self.applied += 1
