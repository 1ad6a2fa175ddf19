"""The card: a number (never stored whole), a plastic, a personalization, a verdict, a customer."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from enum import StrEnum

from stdnum import luhn

from journey.cards.events import CardPersonalized
from journey.command_side.issuance.events import (
    CardActivated,
    CardCancelled,
    CardDelivered,
    CardIssued,
    CardPrintFailed,
    PersonalizationOrdered,
)
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Event
from journey.testbench.events import CardRfTestFailed, CardRfTestPassed

_BRANDS = {"GOLD": ("MASTERCARD", "5412"), "PLATINUM": ("VISA", "4539")}
_DEFAULT_BRAND = ("VISA", "4916")


class CardStatus(StrEnum):
    ISSUED = "issued"
    ORDERED = "ordered"  # at the personalization bureau
    PERSONALIZED = "personalized"
    PRINT_FAILED = "print_failed"
    RF_PASSED = "rf_passed"
    RF_FAILED = "rf_failed"
    DELIVERED = "delivered"
    ACTIVE = "active"
    CANCELLED = "cancelled"


def new_card_number(product_code: str, rng: random.Random) -> tuple[str, str, str]:
    """(brand, pan, last4): a Luhn-valid number under the product's test BIN."""
    brand, bin_ = _BRANDS.get(product_code, _DEFAULT_BRAND)
    body = bin_ + "".join(str(rng.randrange(10)) for _ in range(15 - len(bin_)))
    pan = body + luhn.calc_check_digit(body)
    return brand, pan, pan[-4:]


def tokenize(pan: str, card_id: str) -> str:
    """An opaque reference to the number (the number itself lives only at the bureau)."""
    return "tok_" + hashlib.sha256(f"{card_id}:{pan}".encode()).hexdigest()[:24]


class Card(Aggregate):
    category = "card"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status: CardStatus | None = None
        self.application_id = ""
        self.account_id = ""
        self.customer_id = ""
        self.design_code = ""
        self.product_code = ""
        self.pan_last4 = ""
        self.embossed_name: str | None = None
        self.plastic_serial: str | None = None
        self.order_id: str | None = None
        self.reissue_of: str | None = None

    def issue(
        self,
        *,
        account_id: str,
        application_id: str,
        customer_id: str,
        product_code: str,
        design_code: str,
        embossed_name: str,
        now: datetime,
        rng: random.Random,
        reissue_of: str | None = None,
    ) -> bool:
        if self.status is not None:
            if self.application_id == application_id:
                return False  # a repeat of the same issuance
            raise RuleViolation(f"card {self.id} was issued for another application")
        brand, pan, last4 = new_card_number(product_code, rng)
        expiry = now.replace(year=now.year + 4)
        self.record(
            CardIssued(
                card_id=self.id,
                account_id=account_id,
                application_id=application_id,
                customer_id=customer_id,
                product_code=product_code,
                design_code=design_code,
                brand=brand,
                pan_last4=last4,
                pan_token=tokenize(pan, self.id),
                expires=expiry.strftime("%m/%y"),
                embossed_name=embossed_name,
                reissue_of=reissue_of,
            )
        )
        return True

    def order_personalization(self, order_id: str, plastic_serial: str) -> bool:
        if self.status is CardStatus.ORDERED and self.plastic_serial == plastic_serial:
            return False
        self._expect({CardStatus.ISSUED}, "sent to personalization")
        self.record(
            PersonalizationOrdered(
                card_id=self.id,
                application_id=self.application_id,
                order_id=order_id,
                plastic_serial=plastic_serial,
                design_code=self.design_code,
            )
        )
        return True

    def personalized(self) -> None:
        self._expect({CardStatus.ORDERED}, "personalized")
        assert self.plastic_serial is not None
        self.record(
            CardPersonalized(
                card_id=self.id,
                account_id=self.account_id,
                application_id=self.application_id,
                design_code=self.design_code,
                plastic_serial=self.plastic_serial,
            )
        )

    def print_failed(self, reason: str) -> None:
        self._expect({CardStatus.ORDERED}, "reported as misprinted")
        assert self.plastic_serial is not None
        self.record(
            CardPrintFailed(
                card_id=self.id,
                application_id=self.application_id,
                plastic_serial=self.plastic_serial,
                reason=reason,
            )
        )

    def delivered(self) -> bool:
        if self.status in (CardStatus.DELIVERED, CardStatus.ACTIVE):
            return False
        self._expect({CardStatus.RF_PASSED}, "delivered")
        self.record(CardDelivered(card_id=self.id, application_id=self.application_id))
        return True

    def activate(self) -> bool:
        if self.status is CardStatus.ACTIVE:
            return False
        self._expect({CardStatus.DELIVERED}, "activated")
        self.record(CardActivated(card_id=self.id, application_id=self.application_id))
        return True

    def cancel(self, reason: str) -> bool:
        if self.status is CardStatus.CANCELLED or self.status is None:
            return False
        if self.status is CardStatus.ACTIVE:
            raise RuleViolation("an active card is blocked, not cancelled")
        self.record(
            CardCancelled(card_id=self.id, application_id=self.application_id, reason=reason)
        )
        return True

    def _expect(self, statuses: set[CardStatus], becoming: str) -> None:
        if self.status not in statuses:
            raise RuleViolation(f"a card that is {self.status} cannot be {becoming}")

    def apply(self, event: Event) -> None:
        match event:
            case CardIssued():
                self.status = CardStatus.ISSUED
                self.application_id = event.application_id
                self.account_id = event.account_id
                self.customer_id = event.customer_id
                self.design_code = event.design_code
                self.product_code = event.product_code
                self.pan_last4 = event.pan_last4
                self.embossed_name = event.embossed_name
                self.reissue_of = event.reissue_of
            case PersonalizationOrdered(order_id=order_id, plastic_serial=serial):
                self.status = CardStatus.ORDERED
                self.order_id = order_id
                self.plastic_serial = serial
            case CardPersonalized():
                self.status = CardStatus.PERSONALIZED
            case CardPrintFailed():
                self.status = CardStatus.PRINT_FAILED
            case CardRfTestPassed():
                self.status = CardStatus.RF_PASSED
            case CardRfTestFailed():
                self.status = CardStatus.RF_FAILED
            case CardDelivered():
                self.status = CardStatus.DELIVERED
            case CardActivated():
                self.status = CardStatus.ACTIVE
            case CardCancelled():
                self.status = CardStatus.CANCELLED
