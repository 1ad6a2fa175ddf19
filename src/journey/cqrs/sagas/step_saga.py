"""`StepSaga`: an orchestration of steps with compensations, a pivot and forward recovery.

Steps run one after another. Each sends a command and, optionally, waits for an outside event
(success or failure) within a deadline. Before the **pivot** (the step that cannot be undone), a
failure compensates the steps that did something, in reverse order. After the pivot, a failure
recovers forward: the step is attempted again (with backoff) up to `max_attempts`, then the saga
is flagged stuck for an operator. A step that misses its deadline is flagged stuck (or failed).

The definition is checked when the class is created: every step before the pivot must say how it
is undone (or say explicitly that nothing needs undoing), and nothing after it may.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal

from journey.cqrs.messages import Command, Event
from journey.cqrs.sagas.definition import (
    Decision,
    OutgoingCommand,
    Timer,
    check_saga_name,
    saga_stream,
)
from journey.cqrs.sagas.events import (
    SagaCompensated,
    SagaCompensating,
    SagaCompleted,
    SagaDeadlineReached,
    SagaEventObserved,
    SagaStarted,
    SagaStepCompensated,
    SagaStepCompleted,
    SagaStepFailed,
    SagaStepStarted,
    SagaStuck,
)
from journey.cqrs.scheduler import (
    ScheduledCommandDeadLettered,
    ScheduledCommandRejected,
    ScheduledCommandSucceeded,
)
from journey.cqrs.serialization import Envelope, personal_fields_of


class _Undeclared:
    """A step that never said how it is undone."""

    def __repr__(self) -> str:
        return "UNDECLARED"


UNDECLARED = _Undeclared()

CommandFor = Callable[["StepSagaState"], Command]


@dataclass(frozen=True, slots=True)
class Step:
    """One step: the command to send, how to undo it, and what to wait for."""

    name: str
    action: CommandFor
    compensation: CommandFor | _Undeclared | None = UNDECLARED  # None: nothing to undo
    pivot: bool = False
    await_success: frozenset[str] = frozenset()  # outside events that complete the step
    await_failure: frozenset[str] = frozenset()  # outside events that fail it
    deadline: timedelta | None = None
    on_deadline: Literal["stuck", "fail"] = "stuck"
    max_attempts: int = 1  # after the pivot: how many times to try before getting stuck
    retry_delay: timedelta = timedelta(0)  # doubles with each further attempt


class SagaStatus(StrEnum):
    NEW = "new"
    RUNNING = "running"
    COMPENSATING = "compensating"
    STUCK = "stuck"
    COMPLETED = "completed"
    COMPENSATED = "compensated"


class StepStatus(StrEnum):
    PENDING = "pending"
    STARTED = "started"
    FAILED = "failed"
    DEAD = "dead"  # its command was dead-lettered
    COMPLETED = "completed"


class UndoStatus(StrEnum):
    NONE = "none"
    STARTED = "started"
    DONE = "done"
    RECORDED = "recorded"
    FAILED = "failed"


@dataclass(slots=True)
class StepProgress:
    status: StepStatus = StepStatus.PENDING
    attempt: int = 0
    command_done: bool = False  # the action's command succeeded (so there is something to undo)
    awaited_ok: bool = False
    deadline_passed: bool = False
    result: Any = None
    observed: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    undo: UndoStatus = UndoStatus.NONE
    undo_reason: str | None = None


@dataclass(slots=True)
class StepSagaState:
    saga_id: str
    status: SagaStatus = SagaStatus.NEW
    data: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, StepProgress] = field(default_factory=dict)
    failure: str | None = None
    stuck_reason: str | None = None
    resume_status: SagaStatus | None = None
    observed_event_ids: set[str] = field(default_factory=set)

    def result(self, step: str) -> Any:
        return self.steps[step].result

    def observed(self, step: str) -> dict[str, Any]:
        return self.steps[step].observed


class StepSaga:
    """Base for step sagas. Subclasses set `name`, `starts_on`, `steps` and `start_data`."""

    name: ClassVar[str]
    starts_on: ClassVar[frozenset[str]]
    steps: ClassVar[tuple[Step, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_saga_name(cls.name)
        _check_steps(cls.__name__, cls.steps)

    # -- to override -----------------------------------------------------------------------------
    def start_data(self, envelope: Envelope[Event]) -> dict[str, Any]:
        """What the saga needs to know from the event that starts it (ids, not personal data)."""
        return {}

    def correlate(self, envelope: Envelope[Event]) -> str | None:
        """The saga instance an event belongs to; by default the conversation it is part of."""
        return envelope.record.correlation_id

    # -- SagaDefinition --------------------------------------------------------------------------
    def trigger_types(self) -> frozenset[str]:
        awaited: set[str] = set()
        for step in self.steps:
            awaited |= step.await_success | step.await_failure
        return self.starts_on | awaited

    def saga_id_for(self, envelope: Envelope[Event]) -> str | None:
        return self.correlate(envelope)

    def initial_state(self, saga_id: str) -> StepSagaState:
        return StepSagaState(
            saga_id=saga_id, steps={step.name: StepProgress() for step in self.steps}
        )

    def observe(self, state: StepSagaState, envelope: Envelope[Event]) -> list[Event]:
        event = envelope.event
        if envelope.event_id in state.observed_event_ids:
            return []
        if event.event_type in self.starts_on:
            if state.status is not SagaStatus.NEW:
                return []
            return [
                SagaStarted(
                    saga_type=self.name,
                    saga_id=state.saga_id,
                    data=self.start_data(envelope),
                    trigger_event_id=envelope.event_id,
                )
            ]
        if state.status is SagaStatus.NEW:
            return []
        for step in self.steps:
            progress = state.steps[step.name]
            if progress.status is StepStatus.COMPLETED:
                continue
            if event.event_type in step.await_success:
                outcome = "success"
            elif event.event_type in step.await_failure:
                outcome = "failure"
            else:
                continue
            personal = set(personal_fields_of(type(event)).names)
            return [
                SagaEventObserved(
                    step=step.name,
                    event_id=envelope.event_id,
                    event_type_observed=event.event_type,
                    outcome=outcome,
                    data=event.model_dump(mode="json", exclude=personal),
                )
            ]
        return []

    def evolve(self, state: StepSagaState, event: Event) -> StepSagaState:  # noqa: PLR0915
        match event:
            case SagaStarted(data=data):
                state.status = SagaStatus.RUNNING
                state.data = dict(data)
            case SagaStepStarted(step=name, attempt=attempt, compensation=compensation):
                progress = state.steps[name]
                if compensation:
                    progress.undo = UndoStatus.STARTED
                else:
                    progress.status = StepStatus.STARTED
                    progress.attempt = attempt
                    progress.reason = None
                    progress.deadline_passed = False
            case ScheduledCommandSucceeded(tag=tag, result=result):
                progress = state.steps[tag["step"]]
                if tag.get("compensation"):
                    progress.undo = UndoStatus.DONE
                elif tag["attempt"] == progress.attempt:
                    progress.command_done = True
                    progress.result = result
                    progress.deadline_passed = False
                    if progress.status is StepStatus.DEAD:  # redriven after a fix
                        progress.status = StepStatus.STARTED
                self._resume(state)
            case ScheduledCommandRejected(tag=tag, reason=reason):
                self._failed(state, tag, StepStatus.FAILED, UndoStatus.FAILED, reason)
            case ScheduledCommandDeadLettered(tag=tag, error=error):
                self._failed(state, tag, StepStatus.DEAD, UndoStatus.FAILED, error)
            case SagaEventObserved(step=name, event_id=event_id, outcome=outcome, data=data):
                state.observed_event_ids.add(event_id)
                progress = state.steps[name]
                if outcome == "success":
                    progress.awaited_ok = True
                    progress.observed = dict(data)
                    progress.deadline_passed = False
                    self._resume(state)
                else:
                    progress.status = StepStatus.FAILED
                    progress.reason = f"{data.get('reason') or 'failure event'}"
            case SagaDeadlineReached(step=name, attempt=attempt):
                progress = state.steps[name]
                if attempt == progress.attempt and progress.status is StepStatus.STARTED:
                    progress.deadline_passed = True
            case SagaStepCompleted(step=name, result=result):
                progress = state.steps[name]
                progress.status = StepStatus.COMPLETED
                if result is not None:
                    progress.result = result
            case SagaStepFailed(step=name, reason=reason):
                progress = state.steps[name]
                progress.status = StepStatus.FAILED
                progress.reason = reason
            case SagaCompensating(reason=reason):
                state.status = SagaStatus.COMPENSATING
                state.failure = reason
            case SagaStepCompensated(step=name):
                state.steps[name].undo = UndoStatus.RECORDED
            case SagaStuck(reason=reason):
                if state.status is not SagaStatus.STUCK:
                    state.resume_status = state.status
                state.status = SagaStatus.STUCK
                state.stuck_reason = reason
            case SagaCompleted():
                state.status = SagaStatus.COMPLETED
            case SagaCompensated():
                state.status = SagaStatus.COMPENSATED
        return state

    def reconcile(self, state: StepSagaState, now: datetime) -> Decision:
        if state.status is SagaStatus.RUNNING:
            return self._advance(state, now)
        if state.status is SagaStatus.COMPENSATING:
            return self._compensate(state)
        return Decision()

    # -- deciding --------------------------------------------------------------------------------
    def _advance(self, state: StepSagaState, now: datetime) -> Decision:
        for index, step in enumerate(self.steps):
            progress = state.steps[step.name]
            if progress.status is StepStatus.COMPLETED:
                continue
            if progress.status is StepStatus.PENDING:
                return self._start(state, step, 1, now)
            if progress.status is StepStatus.STARTED:
                if progress.command_done and (not step.await_success or progress.awaited_ok):
                    return Decision(
                        events=[SagaStepCompleted(step=step.name, result=progress.result)],
                        cancel_timers=[_deadline_timer(step.name, progress.attempt)],
                    )
                if progress.deadline_passed:
                    if step.on_deadline == "fail":
                        reason = "deadline passed"
                        failed = SagaStepFailed(
                            step=step.name, attempt=progress.attempt, reason=reason
                        )
                        return Decision(events=[failed])
                    return Decision(events=[SagaStuck(step=step.name, reason="deadline passed")])
                return Decision()
            if progress.status is StepStatus.DEAD:
                return Decision(events=[SagaStuck(step=step.name, reason=progress.reason or "")])
            # FAILED
            timer = [_deadline_timer(step.name, progress.attempt)]
            if self._after_pivot(state, index):
                if progress.attempt < step.max_attempts:
                    delay = step.retry_delay * (2 ** (progress.attempt - 1))
                    decision = self._start(state, step, progress.attempt + 1, now, delay)
                    decision.cancel_timers.extend(timer)
                    return decision
                reason = f"failed after {progress.attempt} attempts: {progress.reason}"
                return Decision(events=[SagaStuck(step=step.name, reason=reason)])
            return Decision(
                events=[SagaCompensating(failed_step=step.name, reason=progress.reason or "")],
                cancel_timers=timer,
            )
        return Decision(events=[SagaCompleted()])

    def _compensate(self, state: StepSagaState) -> Decision:
        for step in reversed(self.steps):
            progress = state.steps[step.name]
            undo = step.compensation
            if not progress.command_done or not callable(undo):
                continue
            if progress.undo is UndoStatus.NONE:
                command = OutgoingCommand(undo(state), step.name, progress.attempt, True)
                started = SagaStepStarted(
                    step=step.name,
                    attempt=progress.attempt,
                    scheduled_id=command.key(saga_stream(self.name, state.saga_id)),
                    compensation=True,
                )
                return Decision(events=[started], commands=[command])
            if progress.undo is UndoStatus.STARTED:
                return Decision()
            if progress.undo is UndoStatus.DONE:
                return Decision(events=[SagaStepCompensated(step=step.name)])
            if progress.undo is UndoStatus.FAILED:
                reason = f"compensation failed: {progress.undo_reason}"
                return Decision(events=[SagaStuck(step=step.name, reason=reason)])
        return Decision(events=[SagaCompensated(reason=state.failure or "")])

    def _start(
        self,
        state: StepSagaState,
        step: Step,
        attempt: int,
        now: datetime,
        delay: timedelta = timedelta(0),
    ) -> Decision:
        command = OutgoingCommand(step.action(state), step.name, attempt, False, delay)
        started = SagaStepStarted(
            step=step.name,
            attempt=attempt,
            scheduled_id=command.key(saga_stream(self.name, state.saga_id)),
        )
        decision = Decision(events=[started], commands=[command])
        if step.deadline is not None:
            due = now + delay + step.deadline
            decision.timers.append(
                Timer(
                    _deadline_timer(step.name, attempt),
                    due,
                    SagaDeadlineReached(step=step.name, attempt=attempt),
                )
            )
        return decision

    def _after_pivot(self, state: StepSagaState, index: int) -> bool:
        """Whether the pivot, before this step, has completed (no way back any more)."""
        return any(
            step.pivot and state.steps[step.name].status is StepStatus.COMPLETED
            for step in self.steps[:index]
        )

    @staticmethod
    def _resume(state: StepSagaState) -> None:
        if state.status is SagaStatus.STUCK and state.resume_status is not None:
            state.status = state.resume_status
            state.resume_status = None
            state.stuck_reason = None

    def _failed(
        self,
        state: StepSagaState,
        tag: dict[str, Any],
        status: StepStatus,
        undo: UndoStatus,
        reason: str,
    ) -> None:
        progress = state.steps[tag["step"]]
        if tag.get("compensation"):
            progress.undo = undo
            progress.undo_reason = reason
        elif tag["attempt"] == progress.attempt:
            progress.status = status
            progress.reason = reason


def _deadline_timer(step: str, attempt: int) -> str:
    return f"deadline:{step}:{attempt}"


def _check_steps(saga: str, steps: tuple[Step, ...]) -> None:
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise TypeError(f"{saga}: step names must be unique: {names}")
    pivots = [index for index, step in enumerate(steps) if step.pivot]
    if len(pivots) > 1:
        raise TypeError(f"{saga}: at most one step may be the pivot")
    pivot = pivots[0] if pivots else len(steps)
    for index, step in enumerate(steps):
        if index < pivot:
            if isinstance(step.compensation, _Undeclared):
                raise TypeError(
                    f"{saga}: step {step.name!r} comes before the pivot and must say how it is "
                    "undone (compensation=...) or that nothing needs undoing (compensation=None)"
                )
            if step.max_attempts != 1:
                raise TypeError(
                    f"{saga}: step {step.name!r} comes before the pivot, where a failure "
                    "compensates; forward retries (max_attempts) belong after it"
                )
        elif callable(step.compensation):
            raise TypeError(
                f"{saga}: step {step.name!r} is the pivot or comes after it and cannot be "
                "compensated; it recovers forward (max_attempts)"
            )
        if step.max_attempts < 1:
            raise TypeError(f"{saga}: step {step.name!r} needs max_attempts of at least 1")
