"""Retry policies: exponential backoff with jitter, so retries of many callers do not align."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry.

    After the n-th failed attempt the next one waits `initial_delay * multiplier**(n-1)` seconds,
    capped at `max_delay`, then shortened by a random fraction up to `jitter` (0 = no jitter).
    """

    max_attempts: int = 5
    initial_delay: float = 0.2
    multiplier: float = 2.0
    max_delay: float = 300.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")
        if self.initial_delay < 0 or self.multiplier < 1:
            raise ValueError("delays must be positive and must not shrink")

    def should_retry(self, failed_attempts: int) -> bool:
        return failed_attempts < self.max_attempts

    def delay(self, failed_attempts: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after `failed_attempts` failures (1 for the first failure)."""
        exponent = max(failed_attempts - 1, 0)
        base = min(self.max_delay, self.initial_delay * self.multiplier**exponent)
        if not self.jitter:
            return base
        draw = (rng or _random).random()
        return base * (1 - self.jitter * draw)

    def backoff(self, failed_attempts: int, rng: random.Random | None = None) -> timedelta:
        return timedelta(seconds=self.delay(failed_attempts, rng))


_random = random.Random()
