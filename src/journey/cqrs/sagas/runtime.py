"""Running sagas: a consumer that feeds events to saga definitions and commits their decisions.

For each event it finds the saga instance concerned, rebuilds its state from its own stream,
records what the saga observes and decides, and writes — in the consumer's one commit — the
saga's new events (with an expected version), the commands it sends (as scheduled messages whose
outcome comes back to its stream) and its timers. A crash before the commit loses nothing (the
event is processed again); after it, the scheduler carries on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.context import MessageContext, current_context
from journey.cqrs.messages import Event
from journey.cqrs.sagas.definition import Decision, SagaDefinition, saga_stream
from journey.cqrs.sagas.events import SagaDeadlineReached
from journey.cqrs.scheduler import SCHEDULER_EVENTS
from journey.cqrs.scheduling import schedule_command, schedule_event
from journey.cqrs.serialization import Envelope

S = TypeVar("S")

_MAX_DECISIONS = 100  # a saga that keeps deciding without waiting is a bug: stop it loudly


@dataclass(slots=True)
class _Loaded(Generic[S]):
    state: S
    version: int  # the stream version `state` reflects, pending events included


class SagaRunner(Generic[S]):
    """A `Consumer` that runs one saga definition."""

    def __init__(self, definition: SagaDefinition[S]) -> None:
        self.definition = definition
        self._prefix = f"saga.{definition.name}-"
        own = {event.event_type for event in SCHEDULER_EVENTS} | {SagaDeadlineReached.event_type}
        self._types = frozenset(definition.trigger_types() | own)

    @property
    def name(self) -> str:
        return f"saga.{self.definition.name}"

    @property
    def event_types(self) -> frozenset[str]:
        return self._types

    def wants(self, event_type: str) -> bool:
        return event_type in self._types

    def sequence_key(self, envelope: Envelope[Event]) -> str:
        return self._saga_id(envelope) or envelope.stream_id

    def _saga_id(self, envelope: Envelope[Event]) -> str | None:
        if envelope.stream_id.startswith(self._prefix):
            return envelope.stream_id[len(self._prefix) :]
        if envelope.event.event_type in self.definition.trigger_types():
            return self.definition.saga_id_for(envelope)
        return None

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        saga_id = self._saga_id(envelope)
        if saga_id is None:
            return
        stream = saga_stream(self.definition.name, saga_id)
        cache: dict[str, _Loaded[S]] = tx.scratch.setdefault(self.name, {})
        known = cache.get(stream) or await self._load(tx, stream, saga_id)
        cache[stream] = known
        # Work on a copy: if the definition fails half-way, the cached state stays as it was.
        loaded = _Loaded(copy.deepcopy(known.state), known.version)
        definition = self.definition
        recorded: list[Event] = []
        if not envelope.stream_id.startswith(self._prefix):
            for event in definition.observe(loaded.state, envelope):
                loaded.state = definition.evolve(loaded.state, event)
                recorded.append(event)
        now = tx.clock.now()
        decisions = Decision()
        for _ in range(_MAX_DECISIONS):
            decision = definition.reconcile(loaded.state, now)
            if decision.is_empty():
                break
            for event in decision.events:
                loaded.state = definition.evolve(loaded.state, event)
            recorded.extend(decision.events)
            decisions.commands.extend(decision.commands)
            decisions.timers.extend(decision.timers)
            decisions.cancel_timers.extend(decision.cancel_timers)
        else:
            raise RuntimeError(f"saga {stream} kept deciding without waiting for anything")
        if recorded:
            context = current_context() or MessageContext.of_event(envelope.record)
            tx.append(stream, recorded, loaded.version, context=context)
            loaded.version += len(recorded)
            await self._write_effects(tx, stream, decisions, context)
        cache[stream] = loaded

    async def _load(self, tx: ConsumerTransaction, stream: str, saga_id: str) -> _Loaded[S]:
        state = self.definition.initial_state(saga_id)
        records = await tx.storage.read_for_replay(stream)
        for record in records:
            state = self.definition.evolve(state, await tx.codec.decode_event(record))
        return _Loaded(state, len(records))

    async def _write_effects(
        self, tx: ConsumerTransaction, stream: str, decision: Decision, context: MessageContext
    ) -> None:
        now = tx.clock.now()
        for outgoing in decision.commands:
            key = outgoing.key(stream)
            tx.commit.schedule.append(
                await schedule_command(
                    tx.codec,
                    outgoing.command,
                    due_at=now + outgoing.delay,
                    now=now,
                    context=context,
                    message_id=key,
                    reply_to=stream,
                    tag=outgoing.tag,
                    idempotency_key=key,
                )
            )
        for name in decision.cancel_timers:
            tx.commit.cancel_scheduled.append(_timer_id(stream, name))
        for timer in decision.timers:
            tx.commit.schedule.append(
                await schedule_event(
                    tx.codec,
                    timer.event,
                    stream_id=stream,
                    due_at=timer.due_at,
                    now=now,
                    context=context,
                    message_id=_timer_id(stream, timer.name),
                )
            )

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "saga": self.definition.name, "types": sorted(self._types)}


def _timer_id(stream: str, name: str) -> str:
    return f"{stream}:timer:{name}"
