"""A step saga's decisions are pure functions of its own events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journey.cqrs.messages import Event
from journey.cqrs.records import StoredEvent
from journey.cqrs.sagas import SagaStatus, Step, StepSaga, StepSagaState
from journey.cqrs.sagas.events import (
    SagaCompensated,
    SagaCompensating,
    SagaCompleted,
    SagaDeadlineReached,
    SagaStarted,
    SagaStepCompensated,
    SagaStepCompleted,
    SagaStepStarted,
    SagaStuck,
)
from journey.cqrs.scheduler import ScheduledCommandRejected, ScheduledCommandSucceeded
from journey.cqrs.serialization import Envelope
from tests.support.sagas import Act, CardIssuance, CardPersonalized, PrintFailed

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def envelope(event: Event, event_id: str = "ev") -> Envelope[Event]:
    record = StoredEvent(
        1, "x-1", 1, event_id, event.event_type, 1, "{}", NOW, NOW, "c", None, None, "u", None, None
    )
    return Envelope(event, record)


class Driver:
    """Feeds a saga its own events and its replies, as the runtime would, and keeps score."""

    def __init__(self) -> None:
        self.saga = CardIssuance()
        self.state: StepSagaState = self.saga.initial_state("order-1")
        self.history: list[Event] = []
        self.sent: list[Act] = []
        self.timers: list[str] = []
        self.cancelled: list[str] = []
        self.record(
            SagaStarted(
                saga_type="card_issuance",
                saga_id="order-1",
                data={"order_id": "order-1", "fail_at": None},
                trigger_event_id="e0",
            )
        )

    def record(self, *events: Event) -> None:
        for event in events:
            self.state = self.saga.evolve(self.state, event)
            self.history.append(event)

    def decide(self) -> None:
        while not (decision := self.saga.reconcile(self.state, NOW)).is_empty():
            self.record(*decision.events)
            self.sent.extend(c.command for c in decision.commands)  # type: ignore[misc]
            self.timers.extend(t.name for t in decision.timers)
            self.cancelled.extend(decision.cancel_timers)

    def reply_ok(self, step: str, *, undo: bool = False) -> None:
        attempt = self.state.steps[step].attempt
        tag = {"step": step, "attempt": attempt, "compensation": undo}
        self.record(
            ScheduledCommandSucceeded(scheduled_id="s", command_type="Act", tag=tag, result=None)
        )
        self.decide()

    def reply_rejected(self, step: str) -> None:
        attempt = self.state.steps[step].attempt
        tag = {"step": step, "attempt": attempt, "compensation": False}
        self.record(
            ScheduledCommandRejected(scheduled_id="s", command_type="Act", tag=tag, reason="no")
        )
        self.decide()

    def see(self, event: Event, event_id: str) -> None:
        self.record(*self.saga.observe(self.state, envelope(event, event_id)))
        self.decide()

    def steps_sent(self) -> list[str]:
        return [("undo " if c.undo else "") + c.step for c in self.sent]

    def through_personalize(self) -> None:
        self.decide()
        for step in ("reserve", "notify", "charge", "personalize"):
            self.reply_ok(step)
        self.see(CardPersonalized(order_id="order-1"), "p1")


def test_a_started_saga_runs_its_steps_one_after_another() -> None:
    driver = Driver()
    driver.decide()
    assert driver.steps_sent() == ["reserve"]
    driver.reply_ok("reserve")
    assert driver.steps_sent() == ["reserve", "notify"]
    assert SagaStepCompleted(step="reserve", result=None) in driver.history


def test_a_step_that_waits_for_an_event_completes_only_when_it_arrives() -> None:
    driver = Driver()
    driver.decide()
    for step in ("reserve", "notify", "charge", "personalize"):
        driver.reply_ok(step)
    assert driver.state.steps["personalize"].status.value == "started"
    assert driver.timers == ["deadline:personalize:1"]
    driver.see(CardPersonalized(order_id="order-1"), "p1")
    assert driver.steps_sent()[-1] == "ship"
    assert "deadline:personalize:1" in driver.cancelled


def test_the_same_awaited_event_seen_twice_counts_once() -> None:
    driver = Driver()
    driver.through_personalize()
    observed = len(driver.history)
    driver.see(CardPersonalized(order_id="order-1"), "p1")
    assert len(driver.history) == observed


def test_a_failure_before_the_pivot_undoes_completed_steps_in_reverse_order() -> None:
    driver = Driver()
    driver.decide()
    driver.reply_ok("reserve")
    driver.reply_ok("notify")
    driver.reply_rejected("charge")
    assert SagaCompensating(failed_step="charge", reason="no") in driver.history
    assert driver.steps_sent()[-1] == "undo reserve"  # charge did nothing; notify has no undo
    driver.reply_ok("reserve", undo=True)
    assert driver.state.status is SagaStatus.COMPENSATED
    assert any(isinstance(e, SagaStepCompensated) for e in driver.history)
    assert isinstance(driver.history[-1], SagaCompensated)


def test_a_failed_pivot_step_compensates_everything_before_it() -> None:
    driver = Driver()
    driver.decide()
    for step in ("reserve", "notify", "charge", "personalize"):
        driver.reply_ok(step)
    driver.see(PrintFailed(order_id="order-1", reason="misprint"), "f1")
    assert driver.steps_sent()[-1] == "undo charge"
    driver.reply_ok("charge", undo=True)
    assert driver.steps_sent()[-1] == "undo reserve"
    driver.reply_ok("reserve", undo=True)
    assert driver.state.status is SagaStatus.COMPENSATED


def test_a_failure_after_the_pivot_retries_forward_with_backoff_then_gets_stuck() -> None:
    driver = Driver()
    driver.through_personalize()
    driver.reply_rejected("ship")
    assert driver.steps_sent()[-1] == "ship"
    assert driver.state.steps["ship"].attempt == 2
    driver.reply_rejected("ship")
    assert driver.state.steps["ship"].attempt == 3
    driver.reply_rejected("ship")
    assert driver.state.status is SagaStatus.STUCK
    assert isinstance(driver.history[-1], SagaStuck)
    assert "undo" not in " ".join(driver.steps_sent())


def test_a_missed_deadline_flags_the_saga_stuck_and_a_late_success_resumes_it() -> None:
    driver = Driver()
    driver.decide()
    for step in ("reserve", "notify", "charge", "personalize"):
        driver.reply_ok(step)
    driver.record(SagaDeadlineReached(step="personalize", attempt=1))
    driver.decide()
    assert driver.state.status is SagaStatus.STUCK
    assert driver.state.stuck_reason == "deadline passed"
    driver.see(CardPersonalized(order_id="order-1"), "late")
    assert driver.state.status is SagaStatus.RUNNING
    driver.reply_ok("ship")
    assert isinstance(driver.history[-1], SagaCompleted)


def test_a_deadline_of_an_earlier_attempt_is_ignored() -> None:
    driver = Driver()
    driver.through_personalize()
    driver.record(SagaDeadlineReached(step="personalize", attempt=1))
    driver.decide()
    assert driver.state.status is SagaStatus.RUNNING


def test_the_scheduled_id_of_a_step_is_its_idempotency_key() -> None:
    driver = Driver()
    driver.decide()
    started = [e for e in driver.history if isinstance(e, SagaStepStarted)]
    assert started[0].scheduled_id == "saga.card_issuance-order-1:reserve:1:act"


def test_a_step_before_the_pivot_must_say_how_it_is_undone() -> None:
    with pytest.raises(TypeError, match="must say how it is undone"):

        class Careless(StepSaga):
            name = "careless"
            starts_on = frozenset({"X"})
            steps = (Step("a", action=lambda s: Act(order_id="", step="a")),)


def test_a_step_after_the_pivot_cannot_be_compensated() -> None:
    undo = lambda s: Act(order_id="", step="b", undo=True)  # noqa: E731
    with pytest.raises(TypeError, match="cannot be compensated"):

        class Confused(StepSaga):
            name = "confused"
            starts_on = frozenset({"X"})
            steps = (
                Step("a", action=lambda s: Act(order_id="", step="a"), pivot=True),
                Step("b", action=lambda s: Act(order_id="", step="b"), compensation=undo),
            )


def test_forward_retries_are_refused_before_the_pivot() -> None:
    with pytest.raises(TypeError, match="forward retries"):

        class Impatient(StepSaga):
            name = "impatient"
            starts_on = frozenset({"X"})
            steps = (
                Step("a", action=lambda s: Act(order_id="", step="a"), compensation=None,
                     max_attempts=3),
            )  # fmt: skip


def test_a_saga_name_may_not_contain_a_dash() -> None:
    with pytest.raises(ValueError, match="saga name"):

        class Dashing(StepSaga):
            name = "card-issuance"
            starts_on = frozenset({"X"})
            steps = ()
