"""Knobs that make a simulated provider behave like a real one: slow, jittery, sometimes down."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from journey.query_side.resilience.errors import ProviderError


@dataclass(slots=True)
class SimulationKnobs:
    """Latency (seconds, plus up to `jitter` more), an error rate, and a hard `down` switch.

    Mutable on purpose: tests and demos turn a provider down and up again while it runs.
    """

    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    down: bool = False
    seed: int = 7
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    async def before_call(self, service: str) -> None:
        """Wait like the provider would, then fail like it sometimes does."""
        delay = self.latency + (self.jitter * self._rng.random() if self.jitter else 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        if self.down:
            raise ProviderError(service, "the simulated provider is down")
        if self.error_rate and self._rng.random() < self.error_rate:
            raise ProviderError(service, "the simulated provider failed (error rate)")
