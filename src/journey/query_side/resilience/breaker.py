"""A circuit breaker: stop calling a provider that keeps failing, probe it now and then.

Closed: calls go through; it opens after `failure_threshold` consecutive failures, or when at least
`min_calls` calls in the last `window` seconds failed at `error_rate` or more. Open: calls fail
fast for `open_for` seconds. Half-open: one probe goes through; success closes it, failure opens it
again. (Defaults follow the credit-decisioning practice in the domain notes: 5 consecutive
failures or 30% errors over 60 s; a single probe every 30 s.)
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    failure_threshold: int = 5
    error_rate: float = 0.3
    min_calls: int = 10
    window: float = 60.0
    open_for: float = 30.0


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        settings: BreakerSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.settings = settings or BreakerSettings()
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._consecutive_failures = 0
        self._opened_at = 0.0
        self._probing = False
        self._outcomes: deque[tuple[float, bool]] = deque()  # (time, failed)
        self.opened_count = 0

    @property
    def state(self) -> BreakerState:
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self.settings.open_for
        ):
            return BreakerState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open, only the one probe may)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._state = BreakerState.HALF_OPEN
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        self._record(failed=False)
        self._consecutive_failures = 0
        if self._state is not BreakerState.CLOSED:
            self._state = BreakerState.CLOSED
            self._probing = False
            self._outcomes.clear()

    def record_failure(self) -> None:
        self._record(failed=True)
        self._consecutive_failures += 1
        if self._state is BreakerState.HALF_OPEN or self._should_open():
            self._open()

    def _should_open(self) -> bool:
        settings = self.settings
        if self._consecutive_failures >= settings.failure_threshold:
            return True
        calls = len(self._outcomes)
        if calls < settings.min_calls:
            return False
        failures = sum(1 for _, failed in self._outcomes if failed)
        return failures / calls >= settings.error_rate

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._probing = False
        self.opened_count += 1

    def _record(self, *, failed: bool) -> None:
        now = self._clock()
        self._outcomes.append((now, failed))
        horizon = now - self.settings.window
        while self._outcomes and self._outcomes[0][0] < horizon:
            self._outcomes.popleft()
