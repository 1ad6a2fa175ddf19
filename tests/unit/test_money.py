"""Whole-unit amounts become the minor units payment processors count in, per ISO 4217."""

from __future__ import annotations

import pytest

from journey.money import UnknownCurrency, minor_unit_exponent, to_minor_units


@pytest.mark.parametrize(
    ("currency", "whole", "minor"),
    [
        ("USD", 60, 6000),  # cents
        ("MXN", 60, 6000),
        ("COP", 60, 6000),  # ISO keeps two decimals for the peso, though no coin is that small
        ("CLP", 60, 60),  # the Chilean peso has no minor unit
        ("KWD", 60, 60000),  # fils: three decimals
        ("USD", 0, 0),
    ],
)
def test_a_whole_amount_becomes_minor_units_by_the_currency_exponent(
    currency: str, whole: int, minor: int
) -> None:
    assert to_minor_units(whole, currency) == minor


def test_a_code_that_is_not_iso_4217_is_refused_by_name() -> None:
    with pytest.raises(UnknownCurrency, match="'XYZ' is not an ISO 4217 currency code"):
        minor_unit_exponent("XYZ")


def test_a_metal_or_fund_without_a_minor_unit_is_refused() -> None:
    with pytest.raises(UnknownCurrency, match="XAU has no minor unit"):
        to_minor_units(1, "XAU")
