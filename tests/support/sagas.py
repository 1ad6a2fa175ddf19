"""A card-issuance-like step saga over the account domain, for saga tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Command, Event
from journey.cqrs.sagas import Step, StepSaga, StepSagaState
from journey.cqrs.serialization import Envelope
from journey.cqrs.unit_of_work import UnitOfWork


class OrderPlaced(Event):
    order_id: str
    fail_at: str | None = None


class ActionDone(Event):
    step: str
    undo: bool = False


class CardPersonalized(Event):
    order_id: str


class PrintFailed(Event):
    order_id: str
    reason: str


class Ledger(Aggregate):
    """Records every action and undo, so tests can see what happened in which order."""

    category = "ledger"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.done: list[str] = []

    def apply(self, event: Event) -> None:
        if isinstance(event, ActionDone):
            self.done.append(f"undo {event.step}" if event.undo else event.step)


class Act(Command):
    order_id: str
    step: str
    undo: bool = False
    fail: bool = False


class PlaceOrder(Command):
    order_id: str
    fail_at: str | None = None


FLAKY: dict[str, int] = {}  # step -> how many more times to fail with a passing error


async def place_order(command: PlaceOrder, uow: UnitOfWork) -> None:
    ledger = Ledger(command.order_id)
    ledger.record(OrderPlaced(order_id=command.order_id, fail_at=command.fail_at))
    uow.add(ledger)


async def act(command: Act, uow: UnitOfWork) -> dict[str, Any]:
    if FLAKY.get(command.step, 0) > 0:
        FLAKY[command.step] -= 1
        raise ConnectionError("the outside system is down")
    if command.fail:
        raise RuleViolation(f"{command.step} refused")
    ledger = await uow.get(Ledger, command.order_id)
    ledger.record(ActionDone(step=command.step, undo=command.undo))
    return {"step": command.step, "undo": command.undo}


def _act(step: str, *, undo: bool = False) -> Any:
    def build(state: StepSagaState) -> Command:
        fail = state.data.get("fail_at") == step and not undo
        return Act(order_id=state.data["order_id"], step=step, undo=undo, fail=fail)

    return build


class CardIssuance(StepSaga):
    name = "card_issuance"
    starts_on = frozenset({"OrderPlaced"})
    steps = (
        Step("reserve", action=_act("reserve"), compensation=_act("reserve", undo=True)),
        Step("notify", action=_act("notify"), compensation=None),
        Step("charge", action=_act("charge"), compensation=_act("charge", undo=True)),
        Step(
            "personalize",
            action=_act("personalize"),
            pivot=True,
            await_success=frozenset({"CardPersonalized"}),
            await_failure=frozenset({"PrintFailed"}),
            deadline=timedelta(days=2),
        ),
        Step("ship", action=_act("ship"), max_attempts=3, retry_delay=timedelta(minutes=5)),
    )

    def start_data(self, envelope: Envelope[Event]) -> dict[str, Any]:
        event = envelope.event
        assert isinstance(event, OrderPlaced)
        return {"order_id": event.order_id, "fail_at": event.fail_at}

    def correlate(self, envelope: Envelope[Event]) -> str | None:
        return getattr(envelope.event, "order_id", None)


SAGA_TEST_EVENTS: tuple[type[Event], ...] = (OrderPlaced, ActionDone, CardPersonalized, PrintFailed)
SAGA_TEST_HANDLERS: dict[type[Command], Any] = {PlaceOrder: place_order, Act: act}
