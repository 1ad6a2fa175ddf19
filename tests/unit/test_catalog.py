"""The product catalog names the currency every amount in it is in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from journey.catalog import default_catalog, parse_catalog
from journey.command_side.notifications.compose import complete_facts
from journey.command_side.notifications.messages import NotificationFacts

PRODUCT = """
[[product]]
code = "BASIC"
name = "Basic"
min_risk_tier = "C"
base_limit = 100
max_limit = 200
annual_fee = 0
designs = ["plain"]

[[design]]
code = "plain"
name = "Plain"
"""


def test_the_shipped_catalog_names_its_currency() -> None:
    assert default_catalog().currency == "USD"


def test_a_catalog_in_another_currency_keeps_it() -> None:
    assert parse_catalog('currency = "MXN"\n' + PRODUCT).currency == "MXN"


def test_a_catalog_that_does_not_name_its_currency_is_refused() -> None:
    with pytest.raises(ValueError, match="must name the currency"):
        parse_catalog(PRODUCT)


def test_a_currency_that_is_not_an_iso_code_is_refused() -> None:
    with pytest.raises(ValidationError):
        parse_catalog('currency = "dollars"\n' + PRODUCT)


@pytest.mark.parametrize("code", ["XYZ", "XAU"])
def test_a_code_shaped_currency_that_money_cannot_be_counted_in_is_refused(code: str) -> None:
    with pytest.raises(ValidationError, match=r"ISO 4217|no minor unit"):
        parse_catalog(f'currency = "{code}"\n' + PRODUCT)


def test_a_messages_facts_take_the_product_name_and_currency_from_the_catalog() -> None:
    facts = complete_facts(NotificationFacts(product_code="GOLD", credit_limit=4000))
    assert facts.product_name == "Gold Mastercard"
    assert facts.currency == default_catalog().currency

    named = complete_facts(NotificationFacts(product_code="GOLD", currency="MXN"))
    assert named.currency == "MXN"  # facts that name a currency keep it
