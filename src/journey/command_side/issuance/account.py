"""The credit account a card draws on."""

from __future__ import annotations

from journey.command_side.issuance.events import AccountClosed, AccountOpened
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Event


class Account(Aggregate):
    category = "account"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.application_id: str | None = None
        self.open = False
        self.closed = False

    def open_for(
        self,
        application_id: str,
        customer_id: str,
        product_code: str,
        credit_limit: int,
        currency: str,
    ) -> bool:
        """Open the account (a limit in whole `currency` units); False if it is already open for
        this application (a repeat)."""
        if self.application_id == application_id:
            return False
        if self.application_id is not None:
            raise RuleViolation(f"account {self.id} belongs to another application")
        if credit_limit <= 0:
            raise RuleViolation("a credit account needs a positive limit")
        self.record(
            AccountOpened(
                account_id=self.id,
                application_id=application_id,
                customer_id=customer_id,
                product_code=product_code,
                credit_limit=credit_limit,
                currency=currency,
            )
        )
        return True

    def close(self, reason: str) -> bool:
        if self.closed or self.application_id is None:
            return False
        self.record(
            AccountClosed(account_id=self.id, application_id=self.application_id, reason=reason)
        )
        return True

    def apply(self, event: Event) -> None:
        match event:
            case AccountOpened(application_id=application_id):
                self.application_id = application_id
                self.open = True
            case AccountClosed():
                self.open = False
                self.closed = True
