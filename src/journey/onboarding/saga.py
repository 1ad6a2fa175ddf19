"""`OnboardingSaga`: from application to active card, or a clean undoing of what was done.

Keyed by application id. Its decisions are a pure function of its state (`reconcile`): which
step is next, what to undo, when to recover forward, when to flag the journey stuck.

    submitted ─ screen ─┬─ declined ─────────────────────────────── (end)
                        ├─ referred ─ analyst decides (deadline) ─┐
                        └─ approved ─ offer ─┬─ expired ────────── (end)
                                             └─ accepted ─ account ─ card ─ plastic ─ fee
        ─ CRM/CDP (retried, never undone) ─ ═ PIVOT: personalization order ═
        ─ personalized ─ RF test ─ ship ─ delivered ─ activated (end)
          misprint / RF fail → spoil, cancel, reissue (limit → stuck)
          returned → cancel, reissue once, then close the account and refund

Before the pivot a failure (out of stock, a refused fee) undoes the completed steps in reverse
order; after it the journey only recovers forward. A withdrawal before activation undoes what
can be undone. Every step that waits on the outside world has a deadline; when it passes the
journey is flagged stuck for an operator (and resumes if the answer comes late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from journey.command_side.issuance.commands import (
    CancelCard,
    CloseAccount,
    IssueCard,
    MakeOffer,
    MarkCardDelivered,
    OpenAccount,
    OrderPersonalization,
    ScreenApplication,
)
from journey.command_side.payments.service import ChargeFee, RefundFee
from journey.command_side.stock import (
    ConsumePlastic,
    ReleasePlastic,
    ReservePlastic,
    RetirePlastic,
    SpoilPlastic,
)
from journey.cqrs.messages import Command, Event
from journey.cqrs.sagas.definition import Decision, OutgoingCommand, Timer, saga_stream
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
from journey.cqrs.serialization import Envelope, personal_fields_of
from journey.money import LEGACY_CURRENCY, to_minor_units
from journey.onboarding.bridge import NotifyJourneyMilestone, PushCustomerRecords, ShipCard
from journey.onboarding.state import (
    APPLICATION_FACTS,
    CARD_FACTS,
    JourneyState,
    StepStatus,
    arrived,
    evolve,
)

STARTS_ON = "ApplicationSubmitted"
OBSERVED = frozenset({STARTS_ON, "PlasticReserved", *APPLICATION_FACTS, *CARD_FACTS})


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long each wait on the outside world may last before an operator is alerted."""

    referral: timedelta = timedelta(days=5)
    personalization: timedelta = timedelta(days=3)
    rf_test: timedelta = timedelta(days=1)
    delivery: timedelta = timedelta(days=15)
    activation: timedelta = timedelta(days=60)


class OnboardingSaga:
    name = "onboarding"

    def __init__(
        self,
        deadlines: Deadlines | None = None,
        *,
        max_reissues: int = 3,
        max_returns: int = 2,
    ) -> None:
        self.deadlines = deadlines or Deadlines()
        self.max_reissues = max_reissues
        self.max_returns = max_returns

    # -- SagaDefinition ----------------------------------------------------------------------------
    def trigger_types(self) -> frozenset[str]:
        return OBSERVED

    def saga_id_for(self, envelope: Envelope[Event]) -> str | None:
        application_id = getattr(envelope.event, "application_id", None)
        return str(application_id) if application_id else None

    def initial_state(self, saga_id: str) -> JourneyState:
        return JourneyState(application_id=saga_id)

    def evolve(self, state: JourneyState, event: Event) -> JourneyState:
        return evolve(state, event)

    def observe(self, state: JourneyState, envelope: Envelope[Event]) -> list[Event]:
        event = envelope.event
        if envelope.event_id in state.observed:
            return []
        personal = set(personal_fields_of(type(event)).names)
        data = event.model_dump(mode="json", exclude=personal)
        if event.event_type == STARTS_ON:
            if state.started:
                return []
            return [
                SagaStarted(
                    saga_type=self.name,
                    saga_id=state.application_id,
                    data={
                        "product_code": data["product_code"],
                        "design_code": data["design_code"],
                        "customer_id": data["customer_id"],
                    },
                    trigger_event_id=envelope.event_id,
                )
            ]
        if not state.started:
            return []
        return [
            SagaEventObserved(
                step="",
                event_id=envelope.event_id,
                event_type_observed=event.event_type,
                outcome="observed",
                data=data,
            )
        ]

    def reconcile(self, state: JourneyState, now: datetime) -> Decision:
        if not state.started or state.outcome is not None:
            return Decision()
        return _Planner(self, state, now).next()


class _Planner:
    """One reconcile: reads the state, returns the next decision (or nothing)."""

    def __init__(self, saga: OnboardingSaga, state: JourneyState, now: datetime) -> None:
        self.saga = saga
        self.s = state
        self.now = now
        self.app = state.application_id

    # -- helpers -----------------------------------------------------------------------------------
    def start(self, step: str, command: Command, *, deadline: timedelta | None = None) -> Decision:
        previous = self.s.step(step)
        attempt = 1 if previous is None else previous.attempt + 1
        outgoing = OutgoingCommand(command, step, attempt)
        decision = Decision(
            events=[
                SagaStepStarted(
                    step=step,
                    attempt=attempt,
                    scheduled_id=outgoing.key(saga_stream(self.saga.name, self.app)),
                )
            ],
            commands=[outgoing],
        )
        if deadline is not None:
            decision.timers.append(
                Timer(
                    f"deadline:{step}:{attempt}",
                    self.now + deadline,
                    SagaDeadlineReached(step=step, attempt=attempt),
                )
            )
        return decision

    def wait(self, step: str, deadline: timedelta) -> Decision:
        """Start waiting on the outside world (a step of its own, settled by an event)."""
        if self.s.step(step) is not None:
            return Decision()
        decision = Decision(events=[SagaStepStarted(step=step, attempt=1, scheduled_id="")])
        decision.timers.append(
            Timer(
                f"deadline:{step}:1", self.now + deadline, SagaDeadlineReached(step=step, attempt=1)
            )
        )
        return decision

    def status(self, step: str) -> StepStatus | None:
        found = self.s.step(step)
        return None if found is None else found.status

    def stuck(self, reason: str) -> Decision:
        return Decision(events=[SagaStuck(step="journey", reason=reason)])

    def card_id(self, generation: int | None = None) -> str:
        return f"{self.app}-c{self.s.generation if generation is None else generation}"

    # -- the plan ----------------------------------------------------------------------------------
    def next(self) -> Decision:
        s = self.s
        notify = self.notifications()
        if not notify.is_empty():
            return notify
        deadline = next((f for f in sorted(s.facts) if f.startswith("deadline:")), None)
        if deadline is not None and s.stuck is None and not self.resolved(deadline):
            return self.stuck(f"{deadline.removeprefix('deadline:')}: deadline passed")
        if s.stuck is not None:
            return Decision()  # an operator looks; a late answer or a redrive resumes it
        if s.has("withdrawn"):
            return self.withdraw()
        if s.has("declined"):
            return Decision(events=[SagaCompleted()])
        if s.has("expired") and not s.has("accepted"):
            return Decision(events=[SagaCompleted()])
        if self.status("screen") is None:
            return self.start("screen", ScreenApplication(application_id=self.app))
        if s.has("referred") and not (s.has("approved") or s.has("declined")):
            return self.wait("referral", self.saga.deadlines.referral)
        if s.has("approved") and self.status("offer") is None:
            return self.start("offer", MakeOffer(application_id=self.app))
        if not s.has("accepted"):
            return Decision()
        if s.compensating is not None:
            return self.compensate()
        return self.fulfil()

    def resolved(self, deadline_fact: str) -> bool:
        """A deadline no longer matters once what it waited for has come."""
        return arrived(self.s, deadline_fact.removeprefix("deadline:"))

    def notifications(self) -> Decision:
        s = self.s
        due = [
            ("application_received", True),
            ("application_referred", s.has("referred")),
            ("application_declined", s.has("declined")),
            ("offer_made", s.has("offered")),
            ("application_withdrawn", s.has("withdrawn")),
            ("card_shipped", "shipped" in s.card()),
            ("card_delivered", "delivered" in s.card()),
            ("card_activated", s.has("activated")),
        ]
        for milestone, reached in due:
            step = f"notify:{milestone}"
            if reached and self.status(step) is None:
                return self.start(
                    step,
                    NotifyJourneyMilestone(
                        application_id=self.app, milestone=milestone, facts=self.facts()
                    ),
                )
        return Decision()

    def facts(self) -> dict[str, Any]:
        card = self.s.step(f"card:{self.s.generation}")
        last4 = (card.result or {}).get("pan_last4") if card and card.result else None
        facts: dict[str, Any] = {"product_code": self.s.product_code}
        if last4:
            facts["masked_card_number"] = f"•••• {last4}"
        if self.s.generation in self.s.tracking:
            facts["carrier"], facts["tracking_number"] = self.s.tracking[self.s.generation]
        return facts

    # -- fulfilment --------------------------------------------------------------------------------
    def fulfil(self) -> Decision:
        s = self.s
        generation = s.generation
        card_id = self.card_id()
        account_id = f"{self.app}-acc"
        plan: list[tuple[str, Command]] = [
            ("account", OpenAccount(account_id=account_id, application_id=self.app)),
            (
                f"card:{generation}",
                IssueCard(
                    card_id=card_id,
                    account_id=account_id,
                    application_id=self.app,
                    reissue_of=self.card_id(generation - 1) if generation else None,
                ),
            ),
            (
                f"plastic:{generation}",
                ReservePlastic(design_code=s.design_code, card_id=card_id, application_id=self.app),
            ),
        ]
        if s.annual_fee > 0:
            # The approval's currency (approvals observed before they named it were in USD).
            currency = s.currency or LEGACY_CURRENCY
            plan.append(
                (
                    "fee",
                    ChargeFee(
                        payment_id=f"{self.app}-fee",
                        application_id=self.app,
                        account_id=account_id,
                        amount_minor=to_minor_units(s.annual_fee, currency),
                        currency=currency,
                        reason="annual fee",
                    ),
                )
            )
        for step, command in plan:
            status = self.status(step)
            if status is None:
                return self.start(step, command)
            if status is StepStatus.STARTED:
                return Decision()
            if status is StepStatus.FAILED:
                reason = f"{step} refused: {s.steps[step].reason}"
                if s.pivot_passed:
                    return self.stuck(reason)  # a reissue that cannot be made
                return Decision(events=[SagaCompensating(failed_step=step, reason=reason)])
            if status is StepStatus.DEAD:
                return self.stuck(f"{step} kept failing: {s.steps[step].reason}")
        if self.status("records") is None:  # retried by the scheduler; never blocks, never undone
            return self.start(
                "records", PushCustomerRecords(application_id=self.app, account_id=account_id)
            )
        return self.after_pivot(generation, card_id)

    def after_pivot(self, generation: int, card_id: str) -> Decision:
        s = self.s
        serial = s.serials.get(generation)
        personalize = f"personalize:{generation}"
        if serial is None:
            return Decision()  # the reservation's event has not been seen yet
        if self.status(personalize) is None:
            return self.start(
                personalize,
                OrderPersonalization(card_id=card_id, plastic_serial=serial),
                deadline=self.saga.deadlines.personalization,
            )
        consumed = self.consume(generation, card_id)
        if consumed is not None:
            return consumed
        events = s.card(generation)
        if "print_failed" in events or "rf_failed" in events:
            return self.reissue(generation, card_id, s.card_reasons.get(generation, "failed"))
        if "personalized" not in events:
            return Decision()
        if "rf_passed" not in events:
            return self.wait(f"rf-test:{generation}", self.saga.deadlines.rf_test)
        ship = f"ship:{generation}"
        if self.status(ship) is None:
            return self.start(
                ship,
                ShipCard(
                    application_id=self.app,
                    card_id=card_id,
                    shipment_id=f"{self.app}-s{generation}",
                ),
                deadline=self.saga.deadlines.delivery,
            )
        if "returned" in events:
            return self.returned(generation, card_id)
        if "delivered" not in events:
            return Decision()
        if self.status(f"mark-delivered:{generation}") is None:
            return self.start(f"mark-delivered:{generation}", MarkCardDelivered(card_id=card_id))
        if not s.has("activated"):
            return self.wait("activation", self.saga.deadlines.activation)
        # Active with its customer: the stock answers for the plastic no more and may forget it.
        # Housekeeping: a refusal stays on record (and a parked one with the dead letters), but
        # does not hold up a journey that reached its end.
        retire = f"retire:{generation}"
        status = self.status(retire)
        if status is None:
            return self.start(retire, RetirePlastic(design_code=s.design_code, card_id=card_id))
        if status is StepStatus.STARTED:
            return Decision()
        return Decision(events=[SagaCompleted()])

    def consume(self, generation: int, card_id: str) -> Decision | None:
        """The plastic left the vault with the order: count it out (None once done)."""
        personalize = self.status(f"personalize:{generation}")
        if personalize is StepStatus.STARTED:
            return Decision()  # the order may be at the bureau already: wait for its answer
        if personalize is not StepStatus.DONE:
            return None
        step = f"consume:{generation}"
        status = self.status(step)
        if status is None:
            return self.start(step, ConsumePlastic(design_code=self.s.design_code, card_id=card_id))
        if status is StepStatus.STARTED:
            return Decision()
        if status is not StepStatus.DONE:
            return self.stuck(f"{step} failed: {self.s.steps[step].reason}")
        return None

    def reissue(self, generation: int, card_id: str, reason: str) -> Decision:
        s = self.s
        spoil = f"spoil:{generation}"
        if self.status(spoil) is None:
            return self.start(
                spoil, SpoilPlastic(design_code=s.design_code, card_id=card_id, reason=reason)
            )
        cancel = f"cancel:{generation}"
        if self.status(cancel) is None:
            return self.start(cancel, CancelCard(card_id=card_id, reason=reason))
        if generation >= self.saga.max_reissues:
            return self.stuck(f"card failed {generation + 1} times; last: {reason}")
        return Decision(
            events=[SagaStepCompleted(step=f"reissue:{generation}", result={"reason": reason})]
        )

    def returned(self, generation: int, card_id: str) -> Decision:
        s = self.s
        cancel = f"cancel:{generation}"
        reason = s.card_reasons.get(generation, "returned to sender")
        if self.status(cancel) is None:
            return self.start(cancel, CancelCard(card_id=card_id, reason=reason))
        returns = sum(1 for g in range(generation + 1) if "returned" in s.card(g))
        if returns < self.saga.max_returns:
            return Decision(
                events=[SagaStepCompleted(step=f"reissue:{generation}", result={"reason": reason})]
            )
        # It keeps coming back: close the account and refund, as it was never activated.
        return Decision(events=[SagaCompensating(failed_step=f"ship:{generation}", reason=reason)])

    # -- undoing -----------------------------------------------------------------------------------
    def withdraw(self) -> Decision:
        if not self.s.has("accepted"):
            return Decision(events=[SagaCompleted()])
        if self.s.has("activated"):
            return Decision(events=[SagaCompleted()])  # too late to withdraw: nothing to undo
        if self.s.compensating is None:
            return Decision(
                events=[
                    SagaCompensating(
                        failed_step="journey", reason=self.s.withdrawal_reason or "withdrawn"
                    )
                ]
            )
        return self.compensate()

    def compensate(self) -> Decision:
        """Undo, newest first, every completed step that has an undo (and is not consumed)."""
        s = self.s
        undo: list[tuple[str, Command]] = []
        if self.status("fee") is StepStatus.DONE:
            undo.append(
                ("undo:fee", RefundFee(payment_id=f"{self.app}-fee", reason=s.compensating or ""))
            )
        for generation in range(s.generation, -1, -1):
            card_id = self.card_id(generation)
            forward = self.consume(generation, card_id)  # at the bureau: never back in the vault
            if forward is not None:
                return forward
            consumed = (
                self.status(f"consume:{generation}") is StepStatus.DONE
                or self.status(f"spoil:{generation}") is StepStatus.DONE
            )
            if self.status(f"plastic:{generation}") is StepStatus.DONE and not consumed:
                undo.append(
                    (
                        f"undo:plastic:{generation}",
                        ReleasePlastic(
                            design_code=s.design_code,
                            card_id=card_id,
                            reason=s.compensating or "undone",
                        ),
                    )
                )
            if self.status(f"card:{generation}") is StepStatus.DONE:
                undo.append(
                    (
                        f"undo:card:{generation}",
                        CancelCard(card_id=card_id, reason=s.compensating or ""),
                    )
                )
        if self.status("account") is StepStatus.DONE:
            undo.append(
                (
                    "undo:account",
                    CloseAccount(account_id=f"{self.app}-acc", reason=s.compensating or ""),
                )
            )
        for step, command in undo:
            status = self.status(step)
            if status is None:
                return self.start(step, command)
            if status is StepStatus.STARTED:
                return Decision()
            if status in (StepStatus.FAILED, StepStatus.DEAD):
                return self.stuck(f"{step} failed: {s.steps[step].reason}")
        return Decision(events=[SagaCompensated(reason=s.compensating or "")])
