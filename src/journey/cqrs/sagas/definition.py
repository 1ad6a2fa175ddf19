"""What a saga is: a pure decision function over its own events.

`SagaDefinition` is the protocol the runtime drives: fold the saga's own events into state
(`evolve`), turn an outside event into facts of its own (`observe`), and decide what to do next
from state alone (`reconcile`). Because decisions depend only on state, running them again after a
crash or a retry asks for nothing twice. Everything here is pure: no I/O, no clock reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from journey.cqrs.messages import Command, Event
from journey.cqrs.serialization import Envelope

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class OutgoingCommand:
    """A command for the saga to send; its outcome comes back to the saga's stream."""

    command: Command
    step: str
    attempt: int
    compensation: bool = False
    delay: timedelta = timedelta(0)

    @property
    def tag(self) -> dict[str, Any]:
        return {"step": self.step, "attempt": self.attempt, "compensation": self.compensation}

    def key(self, stream_id: str) -> str:
        """The idempotency key: the same step attempt is never carried out twice."""
        kind = "compensate" if self.compensation else "act"
        return f"{stream_id}:{self.step}:{self.attempt}:{kind}"


@dataclass(frozen=True, slots=True)
class Timer:
    """An event to append to the saga's own stream at `due_at` (durable, fires once)."""

    name: str
    due_at: datetime
    event: Event


@dataclass(slots=True)
class Decision:
    events: list[Event] = field(default_factory=list)
    commands: list[OutgoingCommand] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    cancel_timers: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.events or self.commands or self.timers or self.cancel_timers)


class SagaDefinition(Protocol, Generic[S]):
    """A durable process manager."""

    @property
    def name(self) -> str:
        """Identifies the saga type; its streams are `saga.<name>-<saga id>`."""
        ...

    def trigger_types(self) -> frozenset[str]:
        """Outside event types this saga starts on or waits for."""
        ...

    def saga_id_for(self, envelope: Envelope[Event]) -> str | None:
        """Which saga instance an outside event concerns (None: not this saga's business)."""
        ...

    def initial_state(self, saga_id: str) -> S: ...

    def evolve(self, state: S, event: Event) -> S:
        """State after one of the saga's own events (replies and timers included)."""
        ...

    def observe(self, state: S, envelope: Envelope[Event]) -> list[Event]:
        """Facts the saga records on seeing an outside event (empty to ignore it)."""
        ...

    def reconcile(self, state: S, now: datetime) -> Decision:
        """What to do next, from state alone. Empty when there is nothing to do."""
        ...


def saga_stream(name: str, saga_id: str) -> str:
    return f"saga.{name}-{saga_id}"


def check_saga_name(name: str) -> str:
    if not name or not all(c.isalnum() or c in "_." for c in name):
        raise ValueError(f"saga name {name!r} may hold only letters, digits, '_' and '.'")
    return name
