"""The pages as a careful user meets them: forms that say what is wrong before sending, the
same national-id rules as the server, labelled controls, and the right page for each role."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from journey.query_side.citizen.national_ids import COUNTRIES, validate
from journey.query_side.population import default_population
from tests.browser import people
from tests.browser.site import Site

pytestmark = pytest.mark.slow  # a server and a browser: seconds each

VALIDATION = "/static/web/js/validation.js"


def _variants(national_id: str, rng: random.Random) -> list[str]:
    """A valid id and the typos people make with it."""
    digits = "0123456789"
    chars = list(national_id)
    changed = []
    for _ in range(3):
        at = rng.randrange(len(chars))
        if chars[at].isdigit():
            copy = chars.copy()
            copy[at] = rng.choice(digits.replace(chars[at], ""))
            changed.append("".join(copy))
    compact = "".join(c for c in national_id if c.isalnum())
    return [
        national_id,
        compact,
        compact.lower(),
        f"  {national_id} ",
        national_id[:-1],
        national_id + "7",
        national_id[:-1] + ("K" if national_id[-1] != "K" else "1"),
        compact[2:],
        compact[:8],
        compact[:7],
        *changed,
    ]


def test_the_pages_check_national_ids_exactly_as_the_server_does(site: Site) -> None:
    rng = random.Random(6)
    population = default_population()
    samples: list[tuple[str, str]] = []
    for country in COUNTRIES:
        ids = [p.national_id for p in population.people if p.country == country][:25]
        for national_id in ids:
            samples.extend((country, variant) for variant in _variants(national_id, rng))
    samples += [("CO", "52.345.678"), ("CO", "12"), ("BR", "111.111.111-11"), ("AR", "1234567")]
    site.go("/login")
    answers = site.page.evaluate(
        """async ([url, samples]) => {
            const { nationalIdProblem } = await import(url);
            return samples.map(([country, id]) => nationalIdProblem(country, id));
        }""",
        [VALIDATION, samples],
    )
    disagreements = []
    for (country, raw), problem in zip(samples, answers, strict=True):
        server = validate(country, raw)
        if server.valid != (problem is None) or (not server.valid and problem != server.reason):
            disagreements.append((country, raw, server.valid, server.reason, problem))
    assert len(samples) > 1500
    assert disagreements == []


def test_the_application_form_says_what_is_wrong_before_anything_is_sent(site: Site) -> None:
    who = people.clean("PE")
    page = site.page
    site.sign_in_as_customer("PE", who.national_id, then="/my/apply")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)

    page.get_by_label("Given names").fill("Ana 2")
    page.get_by_label("Surnames", exact=True).fill("de la Cruz Soto")
    page.get_by_label("Date of birth").fill("2015-01-01")
    page.get_by_label("Email", exact=True).fill("ana@")
    page.get_by_label("Mobile phone").fill("0991 234")
    page.get_by_label("Street and number").click()  # leave the last field
    expect(page.locator("#given_names-error")).to_contain_text("no digits")
    expect(page.locator("#surnames-error")).to_contain_text("at most three")
    expect(page.locator("#birth_date-error")).to_contain_text("18 or over")
    expect(page.locator("#email-error")).to_contain_text("does not look like an email")
    expect(page.locator("#phone-error")).to_contain_text("international format")
    expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#prequalification")).to_contain_text("Fill in your details")

    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#notice")).to_contain_text("need another look")
    expect(page.locator("#line1-error")).to_contain_text("street")
    expect(page.locator("#consent_processing-error")).to_contain_text("we need this")
    site.shot("customer-08-apply-with-mistakes")
    assert not any("/applications" in url or "/prequalifications" in url for url in sent)

    page.get_by_label("Email", exact=True).fill(who.email)
    expect(page.locator("#email-error")).to_be_empty()
    expect(page.get_by_label("Email", exact=True)).not_to_have_attribute("aria-invalid", "true")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    no_sideways_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_sideways_scroll)
    site.shot("customer-10-apply-on-a-phone")
    assert site.errors == []


def test_every_console_page_has_labelled_controls_and_runs_without_script_errors(
    site: Site,
) -> None:
    page = site.page
    site.go("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    site.shot("public-01-home")
    site.go("/login?role=operator&next=/console")
    expect(page.get_by_label("User name")).to_be_visible()
    assert site.unlabelled() == []
    site.shot("public-02-login")

    site.sign_in_as("operator", "oscar.operator", then="/console")
    for path, name in [
        ("/console", "journeys"),
        ("/console/review", "review"),
        ("/console/stock", "stock"),
        ("/console/shipments", "shipments"),
        ("/console/cards", "test-bench"),
        ("/console/dead-letters", "dead-letters"),
        ("/console/mailbox", "mailbox"),
    ]:
        site.go(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#notice")).to_be_hidden()
        assert site.unlabelled() == [], path
        site.shot(f"console-page-{name}")
    assert site.errors == []


def test_a_customer_who_opens_the_console_is_told_it_is_not_for_them(site: Site) -> None:
    who = people.clean("BR")
    page = site.page
    site.sign_in_as_customer("BR", who.national_id, then="/my")
    site.go("/console/stock")
    expect(page.locator("#notice")).to_contain_text("This page is for operators")
    expect(page.locator("#chart svg")).to_have_count(0)
    site.go("/my/applications/app-not-mine")
    expect(page.locator("#notice")).to_contain_text("cannot find this application")
    site.shot("customer-09-not-found")


def test_without_signing_in_a_page_sends_the_user_to_sign_in_and_back(site: Site) -> None:
    page = site.page
    site.go("/console/review")
    page.wait_for_url("**/login?next=%2Fconsole%2Freview")
    page.get_by_label("An analyst").check()
    page.get_by_label("User name").fill("ana.analyst")
    page.get_by_role("button", name="Sign in").click()
    site.wait_for_path("/console/review")
    expect(page.locator("#session-role")).to_have_text("analyst")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def test_the_event_stream_reader_keeps_ids_and_data_across_split_chunks(site: Site) -> None:
    site.go("/login")
    parsed = site.page.evaluate(
        """async () => {
            const { parseEvents } = await import("/static/web/js/events.js");
            const chunks = [
                "retry: 2000\\n\\nid: 7\\nda",
                "ta: {\\"a\\": 1}\\n\\n: keep-alive\\n\\n",
                "id: 9\\r\\ndata: one\\r\\ndata: two\\r\\n\\r\\nid: 1",
            ];
            let buffer = "";
            const events = [];
            for (const chunk of chunks) {
                const [found, rest] = parseEvents(buffer + chunk);
                events.push(...found);
                buffer = rest;
            }
            return { events, rest: buffer };
        }"""
    )
    assert parsed["events"] == [
        {"id": "7", "event": "message", "data": '{"a": 1}'},
        {"id": "9", "event": "message", "data": "one\ntwo"},
    ]
    assert parsed["rest"] == "id: 1"
