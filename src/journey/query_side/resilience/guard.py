"""`Guard`: every call to one provider goes through it (timeout, retries, breaker)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from journey.cqrs.retry import RetryPolicy
from journey.query_side.resilience.breaker import BreakerSettings, CircuitBreaker
from journey.query_side.resilience.coarse_timeout import coarse_timeout
from journey.query_side.resilience.errors import (
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """Per-provider resilience: how long to wait, how to retry, when to stop calling."""

    timeout: float = 2.0
    retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(
            max_attempts=3, initial_delay=0.05, max_delay=0.5, jitter=0.5
        )
    )
    breaker: BreakerSettings = field(default_factory=BreakerSettings)


class Guard:
    """Wraps calls to one provider.

    Only idempotent calls are retried (a bureau pull without an idempotency key is billed per
    call, so it is not); a timeout or a `ProviderError` counts against the breaker; a
    `ProviderRejected` (the request itself was bad) does not, and is not retried. When no answer
    can be had, `ProviderUnavailable` is raised for the caller to degrade safely.
    """

    def __init__(
        self,
        service: str,
        settings: GuardSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.service = service
        self.settings = settings or GuardSettings()
        self.breaker = CircuitBreaker(service, self.settings.breaker, clock=clock)
        self._rng = rng or random.Random()
        self.calls = 0
        self.retries = 0

    async def call(self, operation: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        attempts = self.settings.retry.max_attempts if idempotent else 1
        last_reason = "no attempt was made"
        for attempt in range(1, attempts + 1):
            if not self.breaker.allow():
                raise ProviderUnavailable(self.service, "the circuit breaker is open")
            self.calls += 1
            try:
                async with coarse_timeout(self.settings.timeout):
                    result = await operation()
            except TimeoutError:
                last_reason = f"no answer within {self.settings.timeout:g} s"
            except ProviderError as error:
                last_reason = error.reason
            except ProviderRejected:
                self.breaker.record_success()  # the provider answered; the request was wrong
                raise
            else:
                self.breaker.record_success()
                return result
            self.breaker.record_failure()
            if attempt < attempts:
                self.retries += 1
                await asyncio.sleep(self.settings.retry.delay(attempt, self._rng))
        raise ProviderUnavailable(self.service, last_reason)
