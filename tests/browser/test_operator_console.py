"""Operators and analysts in the console: a journey followed live to the customer's door, a
referred application decided from the review queue, and a dead letter redriven."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import people, scenes
from tests.browser.site import Site
from tests.browser.worker import AuditWorker, BatchAudit

pytestmark = pytest.mark.slow  # a server and a browser: seconds each

JOURNEY_TIMEOUT_MS = 60_000


def test_an_operator_watches_a_journey_live_and_finds_its_card_test_parcel_and_welcome_letter(
    site: Site,
) -> None:
    who = people.clean("AR")
    customer = site.client(role="customer", country=who.country, national_id=who.national_id)
    application_id = scenes.apply(customer, who)
    scenes.wait_for_status(customer, application_id, "offered")

    page = site.page
    site.sign_in_as("operator", "oscar.operator", then="/console")
    row = page.locator(f'tr[data-application="{application_id}"]')
    expect(row).to_contain_text("offered")
    site.shot("console-01-journeys")

    row.get_by_role("link").click()
    page.wait_for_url(f"**/console/journeys/{application_id}")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(page.locator("#evidence")).to_contain_text("screening")
    before = page.locator("#timeline li").count()

    scenes.accept_offer(customer, application_id)  # the customer accepts elsewhere...
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("agreement accepted")  # ...and the console sees it live
    expect(page.locator("#facts")).to_contain_text("delivered", timeout=JOURNEY_TIMEOUT_MS)
    assert page.locator("#timeline li").count() > before + 10
    expect(timeline).to_contain_text("sent to personalization (pivot)")
    expect(timeline).to_contain_text("RF test passed")
    expect(page.locator("#steps li.done")).to_have_count(15)  # all but the activation
    site.shot("console-02-journey-live")
    card_id = f"{application_id}-c0"

    page.get_by_role("link", name=re.compile(card_id)).click()
    page.wait_for_url("**/console/cards?card=*")
    result = page.locator(f'article[data-card="{card_id}"]')
    expect(result).to_contain_text("PASS")
    expect(result.locator(".measure").first).to_be_visible()
    expect(result.locator("svg.gauge").first).to_be_visible()
    site.shot("console-03-rf-test-bench")

    page.goto(f"/console/shipments?application_id={application_id}")
    shipment = page.locator("article.shipment")
    expect(shipment).to_have_count(1)
    expect(shipment).to_contain_text("delivered")
    expect(shipment.locator("tbody tr").first).to_contain_text("ordered")
    site.shot("console-04-shipments")

    page.get_by_role("link", name="Mailbox").click()
    welcome = page.locator("#messages tbody tr", has_text="card shipped").first
    expect(welcome).to_be_visible()
    welcome.locator("button.link").click()  # the subject opens the message
    expect(page.locator("#message")).to_contain_text("card_shipped")
    with page.expect_download() as download:
        page.locator("#message").get_by_role("button", name=re.compile(r"\.pdf")).click()
    saved = download.value.path()
    assert saved is not None
    with open(saved, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
    site.shot("console-05-mailbox")

    page.get_by_role("link", name="Stock").click()
    gold = page.locator('#levels tr[data-design="gold-sun"]')
    expect(gold).to_be_visible()
    expect(page.locator('#chart g[data-design="gold-sun"] rect').first).to_be_visible()
    received = int(gold.locator("td").first.inner_text().replace(",", ""))
    page.get_by_label("Design", exact=True).select_option("gold-sun")
    page.get_by_label("Quantity", exact=True).fill("50")
    page.get_by_label("Batch reference", exact=True).fill("B-2")  # a dash: never in a serial
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("#batch_ref-error")).to_contain_text("letters, digits")
    page.get_by_label("Batch reference", exact=True).fill("BROWSER2")
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("#notice")).to_contain_text("Received 50 plastics")
    expect(gold.locator("td").first).to_have_text(f"{received + 50:,}")
    site.shot("console-06-stock")

    page.get_by_role("link", name="Dead letters").click()
    expect(page.locator("#letters tbody")).not_to_have_attribute("aria-busy", "true")
    site.shot("console-07-dead-letters")

    page.get_by_role("link", name="Journeys").click()
    page.get_by_label("Stuck only").check()
    expect(page.locator("#journeys tbody")).to_contain_text("No journeys match")
    page.get_by_label("Stuck only").uncheck()
    page.get_by_label("Status").select_option("delivered")
    expect(page.locator(f'tr[data-application="{application_id}"]')).to_be_visible()
    assert "status=delivered" in page.url
    assert site.errors == []


def test_an_analyst_approves_a_referred_application_from_the_review_queue_and_it_goes_on(
    site: Site,
) -> None:
    who = people.pep()
    customer = site.client(role="customer", country=who.country, national_id=who.national_id)
    application_id = scenes.apply(customer, who)
    scenes.wait_for_status(customer, application_id, "referred")

    page = site.page
    site.sign_in_as("analyst", "ana.analyst", then="/console/review")
    item = page.locator(f'article[data-application="{application_id}"]')
    expect(item).to_be_visible()
    expect(item.locator(".reasons")).to_contain_text("PEP")
    site.shot("console-08-review-queue")

    item.get_by_role("button", name=f"Approve {application_id}").click()
    expect(item.locator(".error")).to_contain_text("say why")
    item.get_by_label("Reason for your decision").fill(
        "Mayor's source of funds documented; enhanced due diligence done."
    )
    item.get_by_role("button", name=f"Approve {application_id}").click()
    expect(page.locator("#notice")).to_contain_text("Approved")
    expect(item).to_have_count(0)

    page.locator("#notice").get_by_role("link", name=application_id).click()
    page.wait_for_url(f"**/console/journeys/{application_id}")
    expect(page.locator("#timeline")).to_contain_text("analyst decided")
    expect(page.locator("#facts")).to_contain_text("offered", timeout=JOURNEY_TIMEOUT_MS)
    site.shot("console-09-journey-after-review")
    assert scenes.wait_for_status(customer, application_id, "offered")["status"] == "offered"
    assert site.errors == []


def test_an_operator_redrives_a_dead_letter_once_its_cause_is_fixed_and_sees_it_resolved(
    site: Site, server_home: Path
) -> None:
    worker = AuditWorker(server_home / "journey.db")  # a read model beside the server's
    worker.audit.broken.add("AUDIT7")
    operator = site.client(role="operator", subject="oscar.operator")
    answer = operator.post(
        "/stock/classic-green/receipts", json={"quantity": 40, "batch_ref": "AUDIT7"}
    )
    assert answer.status_code == 202, answer.text
    worker.catch_up()  # the audit fails on that batch, is retried, and parks it
    letters = [
        letter
        for letter in operator.get("/dead-letters").json()
        if letter["consumer"] == BatchAudit.name
    ]
    assert [(x["message_type"], x["attempts"], x["status"]) for x in letters] == [
        ("PlasticsReceived", 3, "parked")
    ]
    letter_id = letters[0]["id"]

    page = site.page
    site.sign_in_as("operator", "oscar.operator", then="/console/dead-letters")
    row = page.locator(f'tr[data-letter="{letter_id}"]')
    expect(row).to_contain_text("PlasticsReceived")
    expect(row).to_contain_text("RuntimeError")
    expect(row).to_contain_text("parked")
    site.shot("console-11-dead-letter-parked")

    worker.audit.broken.clear()  # the bug is fixed
    row.get_by_role("button", name=f"Redrive {letter_id}").click()
    expect(page.locator("#notice")).to_contain_text("Redrive requested")
    expect(row).to_contain_text("redrive requested")
    worker.catch_up()  # the worker runs the event again
    expect(page.locator("#notice")).to_contain_text("ran again and is resolved")
    expect(row).to_have_count(0)  # no longer open
    page.get_by_label("Show resolved and discarded").check()
    expect(row).to_contain_text("resolved")
    site.shot("console-12-dead-letter-resolved")
    assert worker.audit.audited.count("AUDIT7") == 1  # exactly once
    assert site.errors == []
