"""Timeouts, retries for idempotent calls only, and a circuit breaker that opens and closes."""

from __future__ import annotations

import asyncio

import pytest

from journey.cqrs.retry import RetryPolicy
from journey.query_side.resilience import (
    BreakerSettings,
    BreakerState,
    CircuitBreaker,
    Guard,
    GuardSettings,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fast(attempts: int = 3, timeout: float = 1.0, **breaker: float) -> GuardSettings:
    return GuardSettings(
        timeout=timeout,
        retry=RetryPolicy(max_attempts=attempts, initial_delay=0, jitter=0),
        breaker=BreakerSettings(**breaker),  # type: ignore[arg-type]
    )


class Flaky:
    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.calls = 0
        self.error = error or ProviderError("svc", "503")

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "answer"


def test_the_breaker_opens_after_consecutive_failures_and_probes_once_after_a_while() -> None:
    time = FakeTime()
    breaker = CircuitBreaker("svc", BreakerSettings(failure_threshold=3, open_for=30), clock=time)
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    time.now = 31
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one at a time
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


def test_a_failed_probe_opens_the_breaker_again() -> None:
    time = FakeTime()
    breaker = CircuitBreaker("svc", BreakerSettings(failure_threshold=1, open_for=10), clock=time)
    breaker.record_failure()
    time.now = 11
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    time.now = 15
    assert not breaker.allow()
    assert breaker.opened_count == 2


def test_the_breaker_opens_on_an_error_rate_over_its_window() -> None:
    time = FakeTime()
    breaker = CircuitBreaker(
        "svc",
        BreakerSettings(failure_threshold=100, error_rate=0.3, min_calls=10, window=60),
        clock=time,
    )
    for n in range(20):
        time.now = n
        if n % 3 == 0:
            breaker.record_failure()
        else:
            breaker.record_success()
        if breaker.state is BreakerState.OPEN:
            break
    assert breaker.state is BreakerState.OPEN
    assert n >= 9  # not before min_calls


async def test_an_idempotent_call_is_retried_and_a_non_idempotent_one_is_not() -> None:
    guard = Guard("svc", fast(attempts=3))
    flaky = Flaky(failures=2)
    assert await guard.call(flaky, idempotent=True) == "answer"
    assert flaky.calls == 3
    once = Flaky(failures=1)
    with pytest.raises(ProviderUnavailable, match="503"):
        await guard.call(once, idempotent=False)
    assert once.calls == 1


async def test_a_slow_provider_times_out_into_unavailable() -> None:
    guard = Guard("svc", fast(attempts=2, timeout=0.01))

    async def slow() -> str:
        await asyncio.sleep(1)
        return "late"

    with pytest.raises(ProviderUnavailable, match="no answer within"):
        await guard.call(slow, idempotent=True)


async def test_a_refused_request_is_not_retried_and_does_not_trip_the_breaker() -> None:
    guard = Guard("svc", fast(attempts=3, failure_threshold=1))
    refused = Flaky(failures=5, error=ProviderRejected("svc", "400"))
    with pytest.raises(ProviderRejected):
        await guard.call(refused, idempotent=True)
    assert refused.calls == 1
    assert guard.breaker.state is BreakerState.CLOSED


async def test_an_open_breaker_fails_fast_without_calling() -> None:
    guard = Guard("svc", fast(attempts=1, failure_threshold=2))
    down = Flaky(failures=100)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            await guard.call(down, idempotent=True)
    with pytest.raises(ProviderUnavailable, match="circuit breaker is open"):
        await guard.call(down, idempotent=True)
    assert down.calls == 2
