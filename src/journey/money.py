"""Amounts of money: ISO 4217 currencies and their minor units.

The catalog states limits and fees in whole units of its currency (a fee of 60 USD); payment
processors take amounts in the currency's minor unit (6000 cents). The number of minor units in
a whole one is the currency's ISO 4217 exponent, which differs by currency: 2 for USD, MXN, PEN,
BRL, ARS and COP, 0 for CLP (and JPY), 3 for KWD. The table is ISO's own, from the `iso4217`
package.
"""

from __future__ import annotations

from typing import Annotated

from iso4217 import Currency
from pydantic import AfterValidator, Field


class UnknownCurrency(ValueError):
    """Not an ISO 4217 currency that money can be counted in."""


def minor_unit_exponent(currency: str) -> int:
    """Digits after the decimal point in `currency` (`UnknownCurrency` for a code that is not
    ISO 4217, or names a fund or metal without a minor unit, like XAU)."""
    try:
        exponent = Currency(currency).exponent
    except ValueError:
        raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code") from None
    if exponent is None:
        raise UnknownCurrency(f"{currency} has no minor unit to count money in")
    return int(exponent)


def to_minor_units(whole: int, currency: str) -> int:
    """A whole-unit amount in `currency`'s minor units: 60 USD -> 6000, 60 CLP -> 60."""
    return whole * int(10 ** minor_unit_exponent(currency))


def countable(currency: str) -> str:
    """`currency`, if money can be counted in it (`UnknownCurrency`, a `ValueError`, if not)."""
    minor_unit_exponent(currency)
    return currency


CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(countable)]
"""An ISO 4217 code with a minor unit (USD, CLP...), for a model's field."""

LEGACY_CURRENCY = "USD"
"""The currency of amounts recorded before events named theirs: every catalog this project
shipped until then was in US dollars (decision 0019)."""
