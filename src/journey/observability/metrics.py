"""Prometheus metrics (names prefixed `journey_`): commands as they happen, the rest on scrape."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from journey.cqrs.bus.command_bus import CommandResult, Dispatch, Next
from journey.cqrs.errors import DomainError
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.model import DeadLetterStatus


class KernelMetrics:
    """Holds one registry per app so tests and several apps in one process do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "journey_commands",
            "Commands handled, by type and outcome",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "journey_command_seconds",
            "Time to handle and commit a command",
            ["command"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        self.log_position = Gauge(
            "journey_events_position", "Highest position in the event log", registry=self.registry
        )
        self.consumer_lag = Gauge(
            "journey_consumer_lag",
            "Log positions a projection, saga or the relay is behind",
            ["consumer"],
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "journey_dead_letters",
            "Dead letters waiting for an operator, by consumer",
            ["consumer"],
            registry=self.registry,
        )
        self.commands_in_flight = Gauge(
            "journey_commands_in_flight",
            "API commands being handled now (background work gives way meanwhile)",
            registry=self.registry,
        )
        self.background_rested = Counter(
            "journey_background_rested_seconds",
            "Seconds the background work rested to give way to commands in flight",
            registry=self.registry,
        )
        self._rested_seen = 0.0
        self.scheduled_overdue = Gauge(
            "journey_scheduled_overdue_seconds",
            "How late the earliest scheduled message is (0 when none is due)",
            registry=self.registry,
        )

    async def middleware(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        command = dispatch.command.command_type
        started = time.perf_counter()
        try:
            result = await call_next(dispatch)
        except DomainError:
            self.commands.labels(command, "rejected").inc()
            raise
        except Exception:
            self.commands.labels(command, "failed").inc()
            raise
        self.command_seconds.labels(command).observe(time.perf_counter() - started)
        self.commands.labels(command, "replayed" if result.replayed else "handled").inc()
        return result

    async def render(self, kernel: Kernel) -> bytes:
        """Refresh the gauges that are read from the store, then render the text format."""
        storage = kernel.storage
        head = await storage.last_position()
        self.log_position.set(head)
        checkpoints = await storage.list_checkpoints()
        for name in [s.name for s in kernel.subscriptions] + [kernel.relay.name]:
            self.consumer_lag.labels(name).set(max(head - checkpoints.get(name, 0), 0))
        letters = await storage.list_dead_letters(
            statuses=[DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED], limit=100_000
        )
        self.dead_letters.clear()
        for letter in letters:
            self.dead_letters.labels(letter.consumer).inc()
        next_due = await storage.next_due_at()
        overdue = 0.0 if next_due is None else (kernel.clock.now() - next_due).total_seconds()
        self.scheduled_overdue.set(max(overdue, 0.0))
        pacer = kernel.pacer
        self.commands_in_flight.set(pacer.in_flight)
        self.background_rested.inc(max(pacer.rested_seconds - self._rested_seen, 0.0))
        self._rested_seen = pacer.rested_seconds
        return generate_latest(self.registry)
