"""Tracing, logging and retry policies around the command bus."""

from __future__ import annotations

import random

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from journey.cqrs.bus import CommandBus, LoggingMiddleware, TracingMiddleware
from journey.cqrs.clock import ManualClock
from journey.cqrs.context import MessageContext, trace_id
from journey.cqrs.errors import RuleViolation
from journey.cqrs.ids import new_id
from journey.cqrs.privacy.keystore import MemoryKeyStore
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.serialization import EventCodec, EventRegistry
from journey.cqrs.store.memory import MemoryStorage
from tests.support.domain import ACCOUNT_EVENTS, ACCOUNT_HANDLERS, OpenAccount, Withdraw


async def bus_with(*middleware: object) -> tuple[CommandBus, MemoryStorage]:
    registry = EventRegistry()
    registry.register(*ACCOUNT_EVENTS)
    storage = MemoryStorage()
    bus = CommandBus(storage, EventCodec(registry, MemoryKeyStore()), ManualClock())
    for command_type, handler in ACCOUNT_HANDLERS.items():
        bus.register(command_type, handler)
    bus.use(*middleware)  # type: ignore[arg-type]
    return bus, storage


def opening() -> OpenAccount:
    return OpenAccount(
        account_id=new_id(), customer_id=new_id(), holder_name="Ana Secret", email="a@x.org"
    )


async def test_a_command_span_continues_the_callers_trace_and_its_events_carry_it() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    bus, storage = await bus_with(TracingMiddleware(provider))
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    await bus.send(opening(), context=MessageContext.root(traceparent=caller))
    (span,) = exporter.get_finished_spans()
    assert span.name == "command OpenAccount"
    assert format(span.context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    (event,) = await storage.read_all()
    assert trace_id(event.traceparent) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert event.traceparent is not None
    assert event.traceparent.split("-")[2] == format(span.context.span_id, "016x")


async def test_the_command_log_names_the_command_and_outcome_but_never_its_data() -> None:
    bus, _ = await bus_with(LoggingMiddleware())
    command = opening()
    with structlog.testing.capture_logs() as logs:
        await bus.send(command)
        with pytest.raises(RuleViolation):
            await bus.send(Withdraw(account_id=command.account_id, amount=5))
    assert [entry["event"] for entry in logs] == ["command handled", "command rejected"]
    assert logs[0]["command"] == "OpenAccount"
    assert logs[1]["error"] == "insufficient funds"
    flat = repr(logs)
    assert "Ana Secret" not in flat
    assert "a@x.org" not in flat


def test_backoff_grows_exponentially_up_to_its_cap() -> None:
    policy = RetryPolicy(max_attempts=6, initial_delay=1, multiplier=2, max_delay=5, jitter=0)
    assert [policy.delay(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]
    assert policy.should_retry(5)
    assert not policy.should_retry(6)


def test_jitter_only_shortens_the_delay_and_varies_it() -> None:
    policy = RetryPolicy(initial_delay=10, jitter=0.5)
    rng = random.Random(7)
    delays = [policy.delay(1, rng) for _ in range(200)]
    assert all(5 <= d <= 10 for d in delays)
    assert len(set(delays)) > 100


def test_a_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2)
