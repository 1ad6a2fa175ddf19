"""The API's Prometheus metrics: the kernel's (`journey.observability.metrics`) plus HTTP
requests, events appended and saga steps (read from the log as it grows), outside calls'
latency and the circuit breakers' state (from the query side's guards).

All names are prefixed `journey_`. Labels are bounded: route templates (never raw paths),
event types, saga types, outside services.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from prometheus_client import Counter, Gauge, Histogram

from journey.cqrs.runtime import Kernel
from journey.observability.metrics import KernelMetrics
from journey.platform import Platform
from journey.query_side.resilience import (
    BreakerState,
    Guard,
    ProviderRejected,
    ProviderUnavailable,
)

T = TypeVar("T")
# What a saga's stream records about its steps: started (command scheduled), its command's
# outcome (the scheduler's reply), an outside event observed, a deadline, stuck...
SAGA_STEPS = {
    "journey.saga.StepStarted": "started",
    "journey.scheduler.CommandSucceeded": "succeeded",
    "journey.scheduler.CommandRejected": "rejected",
    "journey.scheduler.CommandDeadLettered": "dead_lettered",
    "journey.saga.EventObserved": "observed",
    "journey.saga.DeadlineReached": "deadline_reached",
    "journey.saga.StepCompleted": "completed",
    "journey.saga.StepFailed": "failed",
    "journey.saga.StepCompensated": "compensated",
    "journey.saga.Stuck": "stuck",
}
BREAKER_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}
TALLY_PER_SCRAPE = 50_000  # a scrape never reads more of the log than this; the next goes on
CallObserver = Callable[[str, str, float], None]


class ApiMetrics(KernelMetrics):
    """One registry per app (tests and several apps in one process do not collide)."""

    def __init__(self) -> None:
        super().__init__()
        self.http_requests = Counter(
            "journey_http_requests",
            "HTTP requests, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "journey_http_request_seconds",
            "Time to answer an HTTP request (streams: until they end)",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.events_appended = Counter(
            "journey_events_appended",
            "Events appended to the log since this process started, by type",
            ["event_type"],
            registry=self.registry,
        )
        self.saga_steps = Counter(
            "journey_saga_steps",
            "Saga steps since this process started, by saga and outcome",
            ["saga", "outcome"],
            registry=self.registry,
        )
        self.outside_seconds = Histogram(
            "journey_outside_call_seconds",
            "Calls to outside systems through their guard (retries included), by outcome",
            ["service", "outcome"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0),
        )
        self.breaker_state = Gauge(
            "journey_breaker_state",
            "Circuit breaker per outside service: 0 closed, 1 half-open, 2 open",
            ["service"],
            registry=self.registry,
        )
        self.breaker_opened = Gauge(
            "journey_breaker_opened",
            "Times the breaker of an outside service has opened since start",
            ["service"],
            registry=self.registry,
        )
        self._tallied_to: int | None = None
        self._guards: list[Guard] = []

    async def start(self, kernel: Kernel, platform: Platform | None) -> None:
        """Count from the log's head on, and time the query side's outside calls."""
        self._tallied_to = await kernel.storage.last_position()
        if platform is not None:
            self._guards = list(guards_of(platform))
            for guard in self._guards:
                observe_guard(guard, self.observe_call)

    def observe_call(self, service: str, outcome: str, seconds: float) -> None:
        self.outside_seconds.labels(service, outcome).observe(seconds)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_seconds.labels(method, route).observe(seconds)

    async def render(self, kernel: Kernel) -> bytes:
        await self._tally(kernel)
        for guard in self._guards:
            self.breaker_state.labels(guard.service).set(BREAKER_VALUE[guard.breaker.state])
            self.breaker_opened.labels(guard.service).set(guard.breaker.opened_count)
        return await super().render(kernel)

    async def _tally(self, kernel: Kernel) -> None:
        if self._tallied_to is None:
            self._tallied_to = await kernel.storage.last_position()
        read = 0
        while read < TALLY_PER_SCRAPE:
            records = await kernel.storage.read_all(after_position=self._tallied_to, limit=1000)
            if not records:
                return
            for record in records:
                self.events_appended.labels(record.event_type).inc()
                outcome = SAGA_STEPS.get(record.event_type)
                if outcome is not None and record.stream_id.startswith("saga."):
                    saga = record.stream_id.removeprefix("saga.").split("-", 1)[0]
                    self.saga_steps.labels(saga, outcome).inc()
            self._tallied_to = records[-1].position
            read += len(records)


def guards_of(platform: Platform) -> Iterable[Guard]:
    """Every guard of the query side: one per outside service."""
    query_side = platform.query_side
    yield query_side.screening.guard
    yield query_side.citizen.guard
    yield query_side.crm.guard
    yield query_side.cdp.guard
    yield from query_side.credit.guards.values()


# Guard -> who hears about its calls. The guard's `call` is wrapped once; a later app (tests
# build several over one platform) only replaces the observer.
_observers: weakref.WeakKeyDictionary[Guard, CallObserver] = weakref.WeakKeyDictionary()


def observe_guard(guard: Guard, observer: CallObserver) -> None:
    """Time every call through `guard` and tell `observer` (service, outcome, seconds)."""
    already = guard in _observers
    _observers[guard] = observer
    if already:
        return
    inner = guard.call

    async def call(operation: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await inner(operation, idempotent=idempotent)
        except ProviderUnavailable:
            outcome = "unavailable"
            raise
        except ProviderRejected:
            outcome = "rejected"
            raise
        except BaseException:
            outcome = "error"
            raise
        finally:
            hear = _observers.get(guard)
            if hear is not None:
                hear(guard.service, outcome, time.perf_counter() - started)

    # The query side has no hook for this yet; wrapping the instance keeps it unaware of us.
    guard.call = call  # type: ignore[method-assign]
