"""Command bus middleware: logging, tracing, idempotency keys, retry on concurrency conflicts."""

from __future__ import annotations

import asyncio
import logging
import time

import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from journey.cqrs.bus.command_bus import CommandResult, Dispatch, Next, fingerprint, replay
from journey.cqrs.context import trace_id
from journey.cqrs.errors import DomainError
from journey.cqrs.logsafe import describe_failure
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.store.errors import ConcurrencyError
from journey.cqrs.store.port import Storage


class LoggingMiddleware:
    """One structured log line per command: type, ids, outcome, duration. Never the payload."""

    def __init__(self, logger: structlog.typing.FilteringBoundLogger | None = None) -> None:
        self._log = logger or structlog.get_logger("journey.commands")

    async def __call__(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        if not self._log.is_enabled_for(logging.INFO):
            # Only failures would be written: do not build fields for lines nobody sees.
            try:
                return await call_next(dispatch)
            except DomainError:
                raise
            except Exception as error:
                self._log.error(
                    "command failed",
                    command=dispatch.command.command_type,
                    message_id=dispatch.context.message_id,
                    correlation_id=dispatch.context.correlation_id,
                    **describe_failure(error),
                )
                raise
        started = time.perf_counter()
        context = dispatch.context
        fields = {
            "command": dispatch.command.command_type,
            "message_id": context.message_id,
            "correlation_id": context.correlation_id,
            "trace_id": trace_id(context.traceparent),
        }
        try:
            result = await call_next(dispatch)
        except DomainError as error:
            self._log.info("command rejected", **fields, **describe_failure(error), ms=_ms(started))
            raise
        except Exception as error:
            self._log.error("command failed", **fields, **describe_failure(error), ms=_ms(started))
            raise
        self._log.info(
            "command handled",
            **fields,
            position=result.position,
            replayed=result.replayed,
            ms=_ms(started),
        )
        return result


class TracingMiddleware:
    """An OpenTelemetry span per command, child of the caller's `traceparent`.

    With an OpenTelemetry SDK configured, the span's id becomes the command's traceparent, so
    the events it records and the commands they cause continue the same trace. Without one, the
    span is a no-op and the kernel's own W3C trace ids carry on.
    """

    def __init__(self, tracer_provider: TracerProvider | None = None) -> None:
        self._explicit_provider = tracer_provider is not None
        self._tracer = trace.get_tracer("journey.cqrs", tracer_provider=tracer_provider)
        self._propagator = TraceContextTextMapPropagator()

    async def __call__(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        if not self._explicit_provider and isinstance(
            trace.get_tracer_provider(), trace.ProxyTracerProvider
        ):
            # No SDK is configured, so no span would be recorded: skip the no-op work (a fifth
            # of a command's CPU time when measured).
            return await call_next(dispatch)
        context = dispatch.context
        parent = (
            self._propagator.extract({"traceparent": context.traceparent})
            if context.traceparent
            else None
        )
        with self._tracer.start_as_current_span(
            f"command {dispatch.command.command_type}",
            context=parent,
            kind=SpanKind.INTERNAL,
            attributes={
                "messaging.message.id": context.message_id,
                "messaging.message.conversation_id": context.correlation_id,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            if span.get_span_context().is_valid:
                carrier: dict[str, str] = {}
                self._propagator.inject(carrier)
                dispatch.context = context._replace(traceparent=carrier["traceparent"])
            try:
                result = await call_next(dispatch)
            except DomainError as error:
                span.set_attribute("journey.rejected", type(error).__name__)
                raise
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                raise
            if result.position is not None:
                span.set_attribute("journey.position", result.position)
            return result


class IdempotencyMiddleware:
    """The same command with the same idempotency key yields the first result, changing nothing.

    The key's record is written in the command's own commit, so a crash cannot separate them; a
    concurrent duplicate loses at commit time and answers with the winner's result.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def __call__(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        key = dispatch.context.idempotency_key
        if key is None:
            return await call_next(dispatch)
        existing = await self._storage.get_idempotency(key)
        if existing is not None:
            return replay(existing, dispatch)
        dispatch.fingerprint = fingerprint(dispatch.command)
        return await call_next(dispatch)


class RetryOnConflictMiddleware:
    """Run the handler again (on fresh state) when another writer won the race for a stream."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self._policy = policy or RetryPolicy(max_attempts=5, initial_delay=0.002, max_delay=0.05)

    async def __call__(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        failed = 0
        while True:
            try:
                return await call_next(dispatch)
            except ConcurrencyError:
                failed += 1
                if not self._policy.should_retry(failed):
                    raise
                await asyncio.sleep(self._policy.delay(failed))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
