"""A customer, in the browser, from choosing a card to activating it once it is delivered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import people
from tests.browser.site import Site

pytestmark = pytest.mark.slow  # a server and a browser: seconds each

# Days of the outside world pass in seconds here (conftest.FAST_WORLD); a whole journey takes
# a few seconds of real time, so these bound a stall, not the usual wait.
JOURNEY_TIMEOUT_MS = 60_000


def test_a_customer_chooses_a_card_sees_it_prequalified_applies_accepts_and_activates_it(
    site: Site,
) -> None:
    who = people.clean("CL")
    page = site.page
    site.sign_in_as_customer("CL", who.national_id, then="/my")
    expect(page.get_by_role("heading", name="No cards yet")).to_be_visible()
    site.shot("customer-01-my-cards-empty")

    page.get_by_role("link", name="Apply for a card").first.click()
    site.wait_for_path("/my/apply")
    page.locator("label.product", has_text="Gold Mastercard").click()
    expect(page.get_by_label("National id")).to_have_value(who.national_id)
    page.get_by_label("Given names").fill(who.given_names)
    page.get_by_label("Surnames", exact=True).fill(" ".join(who.surnames))
    page.get_by_label("Date of birth").fill(who.birth_date.isoformat())
    page.get_by_label("Email", exact=True).fill(who.email)
    page.get_by_label("Mobile phone").fill(who.phone)
    page.get_by_label("I authorize the bank to consult the credit bureaus").check()
    prequalification = page.locator("#prequalification")
    expect(prequalification).to_contain_text("you qualify for the Gold Mastercard")
    site.shot("customer-02-apply-prequalified")

    page.get_by_label("Street and number").fill("Av. Providencia 1234")
    page.get_by_label("City", exact=True).fill("Santiago")
    page.get_by_label("Postal code").fill("7500000")
    page.get_by_label("The bank may process my data").check()
    assert site.unlabelled() == []
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url(re.compile(r".*/my/applications/app-[^/?]+"))

    offer = page.locator("#offer-panel")
    expect(offer).to_be_visible(timeout=JOURNEY_TIMEOUT_MS)
    expect(page.locator("#agreement-version")).not_to_be_empty()
    expect(page.locator("#agreement-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("#agreement-text")).not_to_be_empty()
    expect(page.locator("#offer-terms")).to_contain_text("Credit limit")
    site.shot("customer-03-offer-and-agreement")

    page.get_by_role("button", name="Accept and get my card").click()
    expect(page.locator("#agree-error")).to_contain_text("tick the box")
    page.get_by_label("I have read the agreement above and I accept it.").check()
    page.get_by_role("button", name="Accept and get my card").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#live")).to_have_attribute("data-state", "live")

    expect(page.locator("#shipment-panel")).to_be_visible(timeout=JOURNEY_TIMEOUT_MS)
    site.shot("customer-04-on-its-way")
    activation = page.locator("#activation-panel")
    expect(activation).to_be_visible(timeout=JOURNEY_TIMEOUT_MS)
    expect(page.locator("#tracking")).to_contain_text("delivered")
    site.shot("customer-05-delivered")

    page.get_by_role("button", name="Activate my card").click()
    expect(page.locator("#status-line")).to_have_text("Your card is active. Enjoy it!")
    expect(activation).to_be_hidden()
    expect(page.locator("#progress li.done")).to_have_count(7)
    site.shot("customer-06-active")

    page.get_by_role("link", name="My cards").first.click()
    expect(page.locator(".application-card")).to_contain_text("active")
    expect(page.locator(".application-card")).to_contain_text("Gold Mastercard ••••")
    site.shot("customer-07-my-cards")
    assert site.errors == []
