"""Sagas: durable process managers with steps, compensations, a pivot, retries and timers."""

from journey.cqrs.sagas.definition import (
    Decision,
    OutgoingCommand,
    SagaDefinition,
    Timer,
    saga_stream,
)
from journey.cqrs.sagas.events import SAGA_EVENTS
from journey.cqrs.sagas.runtime import SagaRunner
from journey.cqrs.sagas.step_saga import (
    SagaStatus,
    Step,
    StepSaga,
    StepSagaState,
    StepStatus,
)

__all__ = [
    "SAGA_EVENTS",
    "Decision",
    "OutgoingCommand",
    "SagaDefinition",
    "SagaRunner",
    "SagaStatus",
    "Step",
    "StepSaga",
    "StepSagaState",
    "StepStatus",
    "Timer",
    "saga_stream",
]
