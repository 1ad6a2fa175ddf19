"""A small bank-account domain for exercising the kernel (the kernel knows nothing of it)."""

from __future__ import annotations

from typing import Any

from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Command, DataSubject, Event, Personal, Query
from journey.cqrs.unit_of_work import UnitOfWork


class AccountOpened(Event):
    customer_id: DataSubject
    holder_name: Personal[str]
    email: Personal[str]
    currency: str


class MoneyDeposited(Event):
    amount: int


class MoneyWithdrawn(Event):
    amount: int


class AccountClosed(Event):
    reason: str


class Account(Aggregate):
    category = "account"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.balance = 0
        self.closed = False
        self.holder_name: str | None = None
        self.customer_id: str | None = None

    def open(self, customer_id: str, holder_name: str, email: str, currency: str = "EUR") -> None:
        if self.customer_id is not None:
            raise RuleViolation("the account is already open")
        self.record(
            AccountOpened(
                customer_id=customer_id, holder_name=holder_name, email=email, currency=currency
            )
        )

    def deposit(self, amount: int) -> None:
        if amount <= 0:
            raise RuleViolation("deposits must be positive")
        if self.closed:
            raise RuleViolation("the account is closed")
        self.record(MoneyDeposited(amount=amount))

    def withdraw(self, amount: int) -> None:
        if amount > self.balance:
            raise RuleViolation("insufficient funds")
        self.record(MoneyWithdrawn(amount=amount))

    def close(self, reason: str) -> None:
        if not self.closed:
            self.record(AccountClosed(reason=reason))

    def apply(self, event: Event) -> None:
        match event:
            case AccountOpened(customer_id=customer_id, holder_name=name):
                self.customer_id = customer_id
                self.holder_name = name
            case MoneyDeposited(amount=amount):
                self.balance += amount
            case MoneyWithdrawn(amount=amount):
                self.balance -= amount
            case AccountClosed():
                self.closed = True

    def snapshot_state(self) -> dict[str, Any] | None:
        return {"balance": self.balance, "closed": self.closed, "customer_id": self.customer_id}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.balance = state["balance"]
        self.closed = state["closed"]
        self.customer_id = state["customer_id"]


class OpenAccount(Command):
    account_id: str
    customer_id: str
    holder_name: str
    email: str


class Deposit(Command):
    account_id: str
    amount: int


class Withdraw(Command):
    account_id: str
    amount: int


class CloseAccount(Command):
    account_id: str
    reason: str


class GetBalance(Query[int]):
    account_id: str


async def open_account(command: OpenAccount, uow: UnitOfWork) -> dict[str, str]:
    account = Account(command.account_id)
    account.open(command.customer_id, command.holder_name, command.email)
    uow.add(account)
    return {"account_id": command.account_id}


async def deposit(command: Deposit, uow: UnitOfWork) -> int:
    account = await uow.get(Account, command.account_id)
    account.deposit(command.amount)
    return account.balance


async def withdraw(command: Withdraw, uow: UnitOfWork) -> int:
    account = await uow.get(Account, command.account_id)
    account.withdraw(command.amount)
    return account.balance


async def close_account(command: CloseAccount, uow: UnitOfWork) -> None:
    account = await uow.get(Account, command.account_id)
    account.close(command.reason)


ACCOUNT_EVENTS: tuple[type[Event], ...] = (
    AccountOpened,
    MoneyDeposited,
    MoneyWithdrawn,
    AccountClosed,
)
ACCOUNT_HANDLERS: dict[type[Command], Any] = {
    OpenAccount: open_account,
    Deposit: deposit,
    Withdraw: withdraw,
    CloseAccount: close_account,
}
