"""A customer, in the browser, from choosing a card to activating it once it is delivered; and
one who changes their mind before activating it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import people, scenes
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
    expect(prequalification).to_contain_text(re.compile(r"Credit limit [\d,]+ USD"))
    expect(page.locator("label.product", has_text="Gold Mastercard")).to_contain_text("USD")
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
    expect(page.locator("#offer-terms")).to_contain_text("USD")
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


def test_a_customer_withdraws_a_delivered_card_before_activating_it_and_it_is_all_undone(
    site: Site,
) -> None:
    who = people.clean("CO")
    customer = site.client(role="customer", country=who.country, national_id=who.national_id)
    application_id = scenes.apply(customer, who)
    scenes.wait_for_status(customer, application_id, "offered")
    scenes.accept_offer(customer, application_id)
    scenes.wait_for_status(customer, application_id, "delivered")

    page = site.page
    site.sign_in_as_customer("CO", who.national_id, then=f"/my/applications/{application_id}")
    expect(page.locator("#activation-panel")).to_be_visible()
    page.get_by_role("button", name="Withdraw my application").click()
    expect(page.locator("#withdraw-text")).to_contain_text("Your card will be cancelled")
    page.get_by_role("button", name="No, keep it").click()  # second thoughts: nothing sent
    expect(page.locator("#withdraw-text")).to_contain_text("You can withdraw this application")
    page.get_by_role("button", name="Withdraw my application").click()
    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.locator("#notice")).to_contain_text("Your application is withdrawn.")

    # The saga undoes what it can (status compensating, then compensated): the customer reads
    # that as their withdrawal, not as a card that could not be made.
    status = page.locator("#status-line")
    expect(status).to_contain_text("any fee refunded", timeout=JOURNEY_TIMEOUT_MS)
    expect(status).to_contain_text("You withdrew this application")
    expect(page.locator("#activation-panel")).to_be_hidden()
    expect(page.locator("#withdraw-panel")).to_be_hidden()
    expect(page.locator("#progress li.failed")).to_have_count(0)
    site.shot("customer-11-withdrawn")

    page.get_by_role("link", name="My cards").first.click()
    card = page.locator(".application-card")
    expect(card).to_contain_text("withdrawn")
    expect(card).not_to_contain_text("could not finish")

    site.sign_in_as("operator", "oscar.operator", then=f"/console/journeys/{application_id}")
    expect(page.locator("#facts")).to_contain_text("compensated after a withdrawal")
    expect(page.locator("#steps li.undone")).to_have_text(
        ["account opened (undone)", "card issued (undone)", "fee charged (undone)"]
    )
    timeline = page.locator("#timeline")
    for line in ("withdrawn by the customer", "annual fee refunded", "card cancelled", "undone"):
        expect(timeline).to_contain_text(line)
    expect(page.locator("#withdraw")).to_have_count(0)  # nothing left to withdraw
    site.shot("console-10-journey-withdrawn")
    assert site.errors == []
