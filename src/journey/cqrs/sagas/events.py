"""What a saga records in its own stream. Replies from the scheduler land there too."""

from __future__ import annotations

from typing import Any

from journey.cqrs.messages import Event


class SagaStarted(Event):
    event_type = "journey.saga.Started"

    saga_type: str
    saga_id: str
    data: dict[str, Any]
    trigger_event_id: str


class SagaStepStarted(Event):
    """A step's command (or a compensation's) was scheduled for sending."""

    event_type = "journey.saga.StepStarted"

    step: str
    attempt: int
    scheduled_id: str
    compensation: bool = False


class SagaEventObserved(Event):
    """An event the saga waits for arrived (e.g. the card came back personalized)."""

    event_type = "journey.saga.EventObserved"

    step: str
    event_id: str
    event_type_observed: str
    outcome: str  # "success" | "failure"
    data: dict[str, Any]


class SagaDeadlineReached(Event):
    """A step's deadline passed (fired by a durable timer)."""

    event_type = "journey.saga.DeadlineReached"

    step: str
    attempt: int


class SagaStepCompleted(Event):
    event_type = "journey.saga.StepCompleted"

    step: str
    result: Any = None


class SagaStepFailed(Event):
    event_type = "journey.saga.StepFailed"

    step: str
    attempt: int
    reason: str


class SagaCompensating(Event):
    """A step failed before the pivot: completed steps are being undone in reverse order."""

    event_type = "journey.saga.Compensating"

    failed_step: str
    reason: str


class SagaStepCompensated(Event):
    event_type = "journey.saga.StepCompensated"

    step: str


class SagaStuck(Event):
    """The saga cannot go on by itself; an operator must look (alert)."""

    event_type = "journey.saga.Stuck"

    step: str
    reason: str


class SagaCompleted(Event):
    event_type = "journey.saga.Completed"


class SagaCompensated(Event):
    event_type = "journey.saga.Compensated"

    reason: str


SAGA_EVENTS: tuple[type[Event], ...] = (
    SagaStarted,
    SagaStepStarted,
    SagaEventObserved,
    SagaDeadlineReached,
    SagaStepCompleted,
    SagaStepFailed,
    SagaCompensating,
    SagaStepCompensated,
    SagaStuck,
    SagaCompleted,
    SagaCompensated,
)
