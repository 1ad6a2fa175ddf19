"""Calling outside systems safely: timeouts, retries for idempotent calls, a circuit breaker."""

from journey.query_side.resilience.breaker import BreakerSettings, BreakerState, CircuitBreaker
from journey.query_side.resilience.coarse_timeout import coarse_timeout
from journey.query_side.resilience.errors import (
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from journey.query_side.resilience.guard import Guard, GuardSettings

__all__ = [
    "BreakerSettings",
    "BreakerState",
    "CircuitBreaker",
    "Guard",
    "GuardSettings",
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
    "coarse_timeout",
]
