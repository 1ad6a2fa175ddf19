"""The journey as the saga knows it: folded from the saga's own events, with no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from journey.cqrs.messages import Event
from journey.cqrs.sagas.events import (
    SagaCompensated,
    SagaCompensating,
    SagaCompleted,
    SagaDeadlineReached,
    SagaEventObserved,
    SagaStarted,
    SagaStepCompleted,
    SagaStepStarted,
    SagaStuck,
)
from journey.cqrs.scheduler import (
    ScheduledCommandDeadLettered,
    ScheduledCommandRejected,
    ScheduledCommandSucceeded,
)


class StepStatus(StrEnum):
    STARTED = "started"
    DONE = "done"
    FAILED = "failed"  # the domain refused it
    DEAD = "dead"  # it kept failing and was parked for an operator


@dataclass(slots=True)
class Step:
    status: StepStatus
    attempt: int = 1
    result: Any = None
    reason: str | None = None


@dataclass(slots=True)
class JourneyState:
    application_id: str
    started: bool = False
    outcome: str | None = None  # set when the journey is over
    product_code: str = ""
    design_code: str = ""
    customer_id: str = ""
    annual_fee: int = 0  # whole units of `currency`, as approved
    currency: str = ""  # empty for approvals observed before they named it
    withdrawal_reason: str | None = None  # who withdrew and why, as the withdrawal said
    facts: set[str] = field(default_factory=set)  # approved, referred, declined, offered, ...
    steps: dict[str, Step] = field(default_factory=dict)
    generation: int = 0  # 0 for the first card, +1 per reissue
    serials: dict[int, str] = field(default_factory=dict)  # generation -> plastic serial
    card_events: dict[int, set[str]] = field(default_factory=dict)  # personalized, rf_passed...
    card_reasons: dict[int, str] = field(default_factory=dict)
    tracking: dict[int, tuple[str, str]] = field(default_factory=dict)  # carrier, number
    returns: int = 0
    compensating: str | None = None  # the reason, while undoing
    stuck: str | None = None
    observed: set[str] = field(default_factory=set)  # outside event ids already seen

    def step(self, name: str) -> Step | None:
        return self.steps.get(name)

    def has(self, fact: str) -> bool:
        return fact in self.facts

    def card(self, generation: int | None = None) -> set[str]:
        return self.card_events.setdefault(
            self.generation if generation is None else generation, set()
        )

    @property
    def pivot_passed(self) -> bool:
        """Whether any plastic has gone to the personalization bureau (no way back since)."""
        return any(
            name.startswith("personalize:") and step.status is not StepStatus.FAILED
            for name, step in self.steps.items()
        )


# Outside events and what they tell the journey: (fact, per-card fact)
CARD_FACTS = {
    "CardPersonalized": "personalized",
    "CardPrintFailed": "print_failed",
    "CardRfTestPassed": "rf_passed",
    "CardRfTestFailed": "rf_failed",
    "ShipmentBooked": "shipped",
    "ShipmentDelivered": "delivered",
    "ShipmentReturned": "returned",
    "ShipmentFailed": "returned",
    "CardActivated": "activated",
}
APPLICATION_FACTS = {
    "ApplicationApproved": "approved",
    "ApplicationReferred": "referred",
    "ApplicationDeclined": "declined",
    "OfferMade": "offered",
    "AgreementAccepted": "accepted",
    "OfferExpired": "expired",
    "ApplicationWithdrawn": "withdrawn",
}


def evolve(state: JourneyState, event: Event) -> JourneyState:
    match event:
        case SagaStarted(data=data):
            state.started = True
            state.product_code = data["product_code"]
            state.design_code = data["design_code"]
            state.customer_id = data["customer_id"]
        case SagaStepStarted(step=name, attempt=attempt):
            state.steps[name] = Step(StepStatus.STARTED, attempt)
        case ScheduledCommandSucceeded(tag=tag, result=result):
            _settle(state, tag, StepStatus.DONE, result=result)
            state.stuck = None
        case ScheduledCommandRejected(tag=tag, reason=reason):
            _settle(state, tag, StepStatus.FAILED, reason=reason)
        case ScheduledCommandDeadLettered(tag=tag, error=error):
            _settle(state, tag, StepStatus.DEAD, reason=error)
        case SagaStepCompleted(step=name, result=result):
            state.steps[name] = Step(StepStatus.DONE, result=result)
            if name.startswith("reissue:"):
                state.generation += 1
        case SagaEventObserved(event_id=event_id, event_type_observed=kind, data=data):
            state.observed.add(event_id)
            _observe(state, kind, data)
        case SagaDeadlineReached(step=name, attempt=attempt):
            step = state.steps.get(name)
            if step is not None and step.attempt == attempt and not arrived(state, name):
                state.facts.add(f"deadline:{name}")
        case SagaStuck(reason=reason):
            state.stuck = reason
        case SagaCompensating(reason=reason):
            state.compensating = reason
        case SagaCompensated(reason=reason):
            state.outcome = state.outcome or f"compensated: {reason}"
        case SagaCompleted():
            state.outcome = state.outcome or "completed"
    return state


def _settle(
    state: JourneyState,
    tag: dict[str, Any],
    status: StepStatus,
    *,
    result: Any = None,
    reason: str | None = None,
) -> None:
    step = state.steps.get(tag["step"])
    if step is None or step.attempt != tag["attempt"]:
        return  # an answer to an attempt we no longer wait for
    step.status = status
    step.result = result
    step.reason = reason


def _observe(state: JourneyState, kind: str, data: dict[str, Any]) -> None:
    if kind in APPLICATION_FACTS:
        state.facts.add(APPLICATION_FACTS[kind])
        state.stuck = None  # a person answered, however late: plan again
        if kind == "ApplicationApproved":
            state.annual_fee = int(data.get("annual_fee", 0))
            state.currency = str(data.get("currency") or "")
        if kind == "ApplicationWithdrawn":
            state.withdrawal_reason = str(data.get("reason") or "") or None
        return
    if kind == "PlasticReserved":
        state.serials[_generation_of(state, data)] = str(data["plastic_serial"])
        return
    card_fact = CARD_FACTS.get(kind)
    if card_fact is None:
        return
    generation = _generation_of(state, data)
    state.card(generation).add(card_fact)
    state.stuck = None  # an awaited answer came, however late
    if kind in ("CardPrintFailed", "ShipmentReturned", "ShipmentFailed"):
        state.card_reasons[generation] = str(data.get("reason") or kind)
    if kind == "CardRfTestFailed":
        failed = data.get("failed_measurements") or []
        state.card_reasons[generation] = "RF test failed: " + ", ".join(map(str, failed))
    if kind == "CardActivated":
        state.facts.add("activated")
    if kind == "ShipmentBooked":
        state.tracking[generation] = (str(data["carrier"]), str(data["tracking_number"]))


def _generation_of(state: JourneyState, data: dict[str, Any]) -> int:
    card_id = str(data.get("card_id", ""))
    _, _, suffix = card_id.rpartition("-c")
    return int(suffix) if suffix.isdigit() else state.generation


def arrived(state: JourneyState, step: str) -> bool:
    """Whether what a step waits for has come (so its deadline no longer matters)."""
    kind, _, generation = step.partition(":")
    events = state.card_events.get(int(generation), set()) if generation.isdigit() else set()
    waits = {
        "personalize": {"personalized", "print_failed"},
        "rf-test": {"rf_passed", "rf_failed"},
        "ship": {"delivered", "returned"},
        "activation": {"activated"},
    }
    if kind == "referral":
        return bool({"approved", "declined"} & state.facts)
    return bool(waits.get(kind, set()) & events)
