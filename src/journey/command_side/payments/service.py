"""The payments service: fee charges and refunds through a gateway port, each once.

Amounts are in the minor unit of their currency (cents for USD, pesos for CLP), as payment
processors count them; `journey.money.to_minor_units` turns the catalog's whole units into them.
"""

from __future__ import annotations

from typing import Any, Protocol

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Command, Event
from journey.cqrs.module import Module
from journey.cqrs.serialization import EventRegistry
from journey.cqrs.unit_of_work import UnitOfWork
from journey.money import LEGACY_CURRENCY, CurrencyCode, to_minor_units
from journey.query_side.simulation import SimulationKnobs


class PaymentRefused(RuleViolation):
    """The gateway refused the charge (insufficient funds, a blocked account): not retried."""


class FeeCharged(Event):
    """The fee was taken: `amount_minor` minor units of `currency`; `reference` is the
    gateway's."""

    schema_version = 2  # v1 had `amount` in whole US dollars

    payment_id: str
    application_id: str
    account_id: str
    amount_minor: int
    currency: str
    reason: str
    reference: str


class FeeRefunded(Event):
    """The fee went back (a compensation); `reference` is the gateway's refund reference."""

    schema_version = 2  # v1 had `amount` in whole US dollars

    payment_id: str
    application_id: str
    amount_minor: int
    currency: str
    reason: str
    reference: str


class ChargeFee(Command):
    """Take a fee of `amount_minor` minor units of `currency` (6000 for 60.00 USD). Idempotent
    for `payment_id`: charged once, however often sent."""

    payment_id: str
    application_id: str
    account_id: str
    amount_minor: int
    currency: CurrencyCode
    reason: str


class RefundFee(Command):
    """Give a charged fee back (compensation). Idempotent; nothing if it was never charged."""

    payment_id: str
    reason: str


class PaymentsGateway(Protocol):
    """The card-payments processor."""

    name: str

    async def charge(
        self, payment_id: str, account_id: str, amount_minor: int, currency: str
    ) -> str:
        """Charge `amount_minor` minor units of `currency`, once per `payment_id` (a repeat
        returns the first reference); raises `PaymentRefused` when the account cannot pay."""
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
        self.charges: dict[str, tuple[int, str]] = {}  # payment id -> (minor units, currency)
        self.refunds: dict[str, tuple[int, str]] = {}
        self.refused_accounts: set[str] = set()

    def refuse(self, account_id: str) -> None:
        """Refuse every charge on this account from now on."""
        self.refused_accounts.add(account_id)

    async def charge(
        self, payment_id: str, account_id: str, amount_minor: int, currency: str
    ) -> str:
        await self.knobs.before_call(self.name)
        if account_id in self.refused_accounts:
            raise PaymentRefused(f"the processor refused the charge on {account_id}")
        self.charges.setdefault(payment_id, (amount_minor, currency))
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
        self.amount_minor = 0
        self.currency = ""
        self.charged = False
        self.refunded = False

    def apply(self, event: Event) -> None:
        match event:
            case FeeCharged():
                self.charged = True
                self.application_id = event.application_id
                self.amount_minor = event.amount_minor
                self.currency = event.currency
            case FeeRefunded():
                self.refunded = True


def payments_module(gateway: PaymentsGateway) -> Module:
    """Fees through `gateway`. The charge is asked of the gateway before the event is written;
    a crash between the two repeats the charge with the same `payment_id`, which the gateway
    answers with the first reference (its idempotency key), so the customer pays once."""

    async def charge_fee(command: ChargeFee, uow: UnitOfWork) -> dict[str, Any]:
        payment = await uow.find(Payment, command.payment_id)
        if payment is not None:
            return _taken("charged", payment)  # a repeat: charged once already
        if command.amount_minor <= 0:
            raise RuleViolation("a fee must be positive")
        reference = await gateway.charge(
            command.payment_id, command.account_id, command.amount_minor, command.currency
        )
        payment = Payment(command.payment_id)
        payment.record(
            FeeCharged(
                payment_id=command.payment_id,
                application_id=command.application_id,
                account_id=command.account_id,
                amount_minor=command.amount_minor,
                currency=command.currency,
                reason=command.reason,
                reference=reference,
            )
        )
        uow.add(payment)
        return _taken("charged", payment)

    async def refund_fee(command: RefundFee, uow: UnitOfWork) -> dict[str, Any]:
        payment = await uow.find(Payment, command.payment_id)
        if payment is None or payment.refunded:
            return {"refunded": 0}  # never charged, or refunded already
        reference = await gateway.refund(command.payment_id)
        payment.record(
            FeeRefunded(
                payment_id=command.payment_id,
                application_id=payment.application_id,
                amount_minor=payment.amount_minor,
                currency=payment.currency,
                reason=command.reason,
                reference=reference,
            )
        )
        return _taken("refunded", payment)

    return Module(
        name="payments",
        events=(FeeCharged, FeeRefunded),
        commands={ChargeFee: charge_fee, RefundFee: refund_fee},
        upcasters=(install_upcasters,),
    )


def _taken(verb: str, payment: Payment) -> dict[str, Any]:
    return {verb: payment.amount_minor, "currency": payment.currency}


def install_upcasters(registry: EventRegistry) -> None:
    """Read fee events stored in older shapes as the current ones."""

    def in_minor_units(payload: dict[str, Any]) -> dict[str, Any]:
        # v1 amounts were the catalog's whole units, in the currency every catalog was then in.
        upgraded = {key: value for key, value in payload.items() if key != "amount"}
        upgraded["amount_minor"] = to_minor_units(int(payload["amount"]), LEGACY_CURRENCY)
        upgraded["currency"] = LEGACY_CURRENCY
        return upgraded

    registry.upcaster(FeeCharged.event_type, from_version=1)(in_minor_units)
    registry.upcaster(FeeRefunded.event_type, from_version=1)(in_minor_units)
