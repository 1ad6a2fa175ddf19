"""The payments service: fee charges and refunds through a gateway port, each once."""

from __future__ import annotations

from typing import Any, Protocol

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Command, Event
from journey.cqrs.module import Module
from journey.cqrs.unit_of_work import UnitOfWork
from journey.query_side.simulation import SimulationKnobs


class PaymentRefused(RuleViolation):
    """The gateway refused the charge (insufficient funds, a blocked account): not retried."""


class FeeCharged(Event):
    """The fee was taken; `reference` is the gateway's."""

    payment_id: str
    application_id: str
    account_id: str
    amount: int
    reason: str
    reference: str


class FeeRefunded(Event):
    """The fee went back (a compensation); `reference` is the gateway's refund reference."""

    payment_id: str
    application_id: str
    amount: int
    reason: str
    reference: str


class ChargeFee(Command):
    """Take a fee in minor units. Idempotent for `payment_id`: charged once, however often sent."""

    payment_id: str
    application_id: str
    account_id: str
    amount: int
    reason: str


class RefundFee(Command):
    """Give a charged fee back (compensation). Idempotent; nothing if it was never charged."""

    payment_id: str
    reason: str


class PaymentsGateway(Protocol):
    """The card-payments processor."""

    name: str

    async def charge(self, payment_id: str, account_id: str, amount: int) -> str:
        """Charge once per `payment_id` (a repeat returns the first reference); raises
        `PaymentRefused` when the account cannot pay."""
        ...

    async def refund(self, payment_id: str) -> str:
        """Refund a charge once per `payment_id`."""
        ...


class SimulatedPayments:
    """An in-memory processor that keeps every charge and refund (each once) and refuses the
    accounts it is told to (`refuse`), so a refused fee can be played."""

    name = "payments-sim"

    def __init__(self, knobs: SimulationKnobs | None = None) -> None:
        self.knobs = knobs or SimulationKnobs()
        self.charges: dict[str, int] = {}
        self.refunds: dict[str, int] = {}
        self.refused_accounts: set[str] = set()

    def refuse(self, account_id: str) -> None:
        """Refuse every charge on this account from now on."""
        self.refused_accounts.add(account_id)

    async def charge(self, payment_id: str, account_id: str, amount: int) -> str:
        await self.knobs.before_call(self.name)
        if account_id in self.refused_accounts:
            raise PaymentRefused(f"the processor refused the charge on {account_id}")
        self.charges.setdefault(payment_id, amount)
        return f"ch-{payment_id}"

    async def refund(self, payment_id: str) -> str:
        await self.knobs.before_call(self.name)
        if payment_id not in self.charges:
            raise RuleViolation(f"payment {payment_id} was never charged")
        self.refunds.setdefault(payment_id, self.charges[payment_id])
        return f"re-{payment_id}"


class Payment(Aggregate):
    """One fee: charged at most once, refunded at most once."""

    category = "payment"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.application_id = ""
        self.amount = 0
        self.charged = False
        self.refunded = False

    def apply(self, event: Event) -> None:
        match event:
            case FeeCharged():
                self.charged = True
                self.application_id = event.application_id
                self.amount = event.amount
            case FeeRefunded():
                self.refunded = True


def payments_module(gateway: PaymentsGateway) -> Module:
    """Fees through `gateway`. The charge is asked of the gateway before the event is written;
    a crash between the two repeats the charge with the same `payment_id`, which the gateway
    answers with the first reference (its idempotency key), so the customer pays once."""

    async def charge_fee(command: ChargeFee, uow: UnitOfWork) -> dict[str, Any]:
        payment = await uow.find(Payment, command.payment_id)
        if payment is not None:
            return {"charged": payment.amount}  # a repeat: charged once already
        if command.amount <= 0:
            raise RuleViolation("a fee must be positive")
        reference = await gateway.charge(command.payment_id, command.account_id, command.amount)
        payment = Payment(command.payment_id)
        payment.record(
            FeeCharged(
                payment_id=command.payment_id,
                application_id=command.application_id,
                account_id=command.account_id,
                amount=command.amount,
                reason=command.reason,
                reference=reference,
            )
        )
        uow.add(payment)
        return {"charged": command.amount}

    async def refund_fee(command: RefundFee, uow: UnitOfWork) -> dict[str, Any]:
        payment = await uow.find(Payment, command.payment_id)
        if payment is None or payment.refunded:
            return {"refunded": 0}  # never charged, or refunded already
        reference = await gateway.refund(command.payment_id)
        payment.record(
            FeeRefunded(
                payment_id=command.payment_id,
                application_id=payment.application_id,
                amount=payment.amount,
                reason=command.reason,
                reference=reference,
            )
        )
        return {"refunded": payment.amount}

    return Module(
        name="payments",
        events=(FeeCharged, FeeRefunded),
        commands={ChargeFee: charge_fee, RefundFee: refund_fee},
    )
