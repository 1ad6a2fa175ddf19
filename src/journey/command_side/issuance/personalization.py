"""The personalization bureau: where a plastic becomes a customer's card (the journey's pivot).

Bureaus take an order and finish it later; we poll for the outcome with a durable scheduled
command, so a restart loses nothing. The simulated bureau decides each order's outcome from the
plastic serial (a seeded share misprints), so the same order always ends the same way — even
when it is asked about after a restart, having forgotten it was ever placed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from journey.cqrs.clock import Clock, SystemClock
from journey.query_side.simulation import SimulationKnobs


class OrderState(StrEnum):
    PENDING = "PENDING"
    PERSONALIZED = "PERSONALIZED"
    FAILED_TO_PRINT = "FAILED_TO_PRINT"


class OrderStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: str
    state: OrderState
    reason: str | None = None


class PersonalizationBureau(Protocol):
    name: str

    async def order(
        self, *, card_id: str, plastic_serial: str, design_code: str, embossed_name: str
    ) -> str:
        """Send the order (idempotent for card and plastic); returns the bureau's order id."""
        ...

    async def status(self, order_id: str) -> OrderStatus: ...


class SimulatedPersonalizationBureau:
    name = "personalization-sim"

    def __init__(
        self,
        *,
        turnaround: timedelta = timedelta(hours=6),
        misprint_rate: float = 0.02,
        clock: Clock | None = None,
        knobs: SimulationKnobs | None = None,
    ) -> None:
        self._turnaround = turnaround
        self._misprint_rate = misprint_rate
        self._clock = clock or SystemClock()
        self.knobs = knobs or SimulationKnobs()
        self._placed: dict[str, datetime] = {}
        self.orders = 0

    async def order(
        self, *, card_id: str, plastic_serial: str, design_code: str, embossed_name: str
    ) -> str:
        await self.knobs.before_call(self.name)
        order_id = f"po-{card_id}-{plastic_serial}"
        if order_id not in self._placed:
            self._placed[order_id] = self._clock.now()
            self.orders += 1
        return order_id

    async def status(self, order_id: str) -> OrderStatus:
        await self.knobs.before_call(self.name)
        placed = self._placed.get(order_id)
        if placed is not None and self._clock.now() - placed < self._turnaround:
            return OrderStatus(order_id=order_id, state=OrderState.PENDING)
        if self.misprints(order_id):
            return OrderStatus(
                order_id=order_id, state=OrderState.FAILED_TO_PRINT, reason="misprint at embossing"
            )
        return OrderStatus(order_id=order_id, state=OrderState.PERSONALIZED)

    def misprints(self, order_id: str) -> bool:
        draw = int(hashlib.sha256(order_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        return draw < self._misprint_rate
