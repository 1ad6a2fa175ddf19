"""A module: what one part of the domain brings to the kernel (events, handlers, read models)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from journey.cqrs.bus.command_bus import CommandHandler
from journey.cqrs.bus.query_bus import QueryHandler
from journey.cqrs.messages import Command, Event, Query
from journey.cqrs.projections import Projection
from journey.cqrs.sagas.definition import SagaDefinition
from journey.cqrs.serialization import EventRegistry


@dataclass(frozen=True)
class Module:
    """Everything a bounded context plugs into the kernel; `bootstrap` installs it."""

    name: str
    events: Sequence[type[Event]] = ()
    commands: Mapping[type[Command], CommandHandler[Any]] = field(default_factory=dict)
    queries: Mapping[type[Query[Any]], QueryHandler[Any]] = field(default_factory=dict)
    projections: Sequence[Projection] = ()
    sagas: Sequence[SagaDefinition[Any]] = ()
    upcasters: Sequence[Callable[[EventRegistry], None]] = ()  # registers upcasters and renames
