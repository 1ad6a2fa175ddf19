"""The kernel: CQRS + event sourcing with sagas, timers, dead letters and personal-data erasure.

It knows nothing about banking. The names most code needs are re-exported here.
"""

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.bus import CommandBus, CommandResult, QueryBus, ReadModels
from journey.cqrs.clock import Clock, ManualClock, SystemClock
from journey.cqrs.consumers import Consumer, ConsumerTransaction, EventHandlerBase
from journey.cqrs.context import MessageContext, current_context
from journey.cqrs.errors import DomainError, NotFound, RuleViolation
from journey.cqrs.messages import Command, DataSubject, Event, Personal, Query
from journey.cqrs.module import Module
from journey.cqrs.projections import Projection
from journey.cqrs.sagas import Step, StepSaga, StepSagaState
from journey.cqrs.serialization import Envelope, EventCodec, EventRegistry
from journey.cqrs.unit_of_work import UnitOfWork

__all__ = [
    "Aggregate",
    "Clock",
    "Command",
    "CommandBus",
    "CommandResult",
    "Consumer",
    "ConsumerTransaction",
    "DataSubject",
    "DomainError",
    "Envelope",
    "Event",
    "EventCodec",
    "EventHandlerBase",
    "EventRegistry",
    "ManualClock",
    "MessageContext",
    "Module",
    "NotFound",
    "Personal",
    "Projection",
    "Query",
    "QueryBus",
    "ReadModels",
    "RuleViolation",
    "Step",
    "StepSaga",
    "StepSagaState",
    "SystemClock",
    "UnitOfWork",
    "current_context",
]
