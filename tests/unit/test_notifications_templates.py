"""Every milestone's message in every language: complete, escaped, neutral where it must be."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from pydantic import ValidationError

from journey.command_side.notifications import (
    MILESTONES,
    Notice,
    NotificationComposer,
    NotificationFacts,
    NotificationSettings,
    message_id_for,
)
from journey.command_side.notifications.compose import complete_facts, long_date, money
from journey.command_side.notifications.messages import Locale, Milestone
from tests.support.notifications import EMAIL, NAME, facts_for

LOCALES: tuple[Locale, ...] = ("en", "es")
QUEUED_AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None, f"no {kind} body"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def notice(
    milestone: Milestone,
    locale: Locale = "en",
    *,
    name: str | None = NAME,
    facts: NotificationFacts | None = None,
) -> Notice:
    facts = complete_facts(facts or facts_for(milestone)).model_copy(update={"locale": locale})
    return Notice(
        milestone=milestone,
        message_id=message_id_for("app-7", milestone),
        channels=("email", "sms"),
        customer_id="subj-1",
        email=EMAIL,
        phone="+5491100000042",
        name=name,
        facts=facts,
        queued_at=QUEUED_AT,
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("milestone", MILESTONES)
def test_every_milestone_renders_a_subject_a_text_and_an_html_body(
    milestone: Milestone, locale: Locale
) -> None:
    message = NotificationComposer().email(notice(milestone, locale), application_id="app-7")
    text = body(message, "plain")
    html = body(message, "html")
    assert message["Subject"]
    assert message["Content-Language"] == locale
    assert message["Message-ID"] == f"<app-7.{milestone}@journey>"
    for rendered in (text, html):
        assert "{{" not in rendered
        assert "{%" not in rendered
        assert "app-7" in rendered  # the reference support asks for
    assert NAME in text
    assert "Gold Mastercard" in text  # the product's name comes from the catalog by its code
    attachments = list(message.iter_attachments())
    assert len(attachments) == (1 if milestone == "card_shipped" else 0)


def test_the_english_and_spanish_messages_are_different_languages() -> None:
    composer = NotificationComposer()
    english = composer.email(notice("card_delivered", "en"), application_id="a")
    spanish = composer.email(notice("card_delivered", "es"), application_id="a")
    assert english["Subject"] == "Your card has been delivered"
    assert spanish["Subject"] == "Tu tarjeta ha sido entregada"


def test_the_language_defaults_to_the_settings_when_the_facts_name_none() -> None:
    composer = NotificationComposer(NotificationSettings(locale="es"))
    facts = complete_facts(facts_for("application_received"))
    message = composer.email(
        Notice(
            milestone="application_received",
            message_id="<x@journey>",
            channels=("email",),
            customer_id="s",
            email=EMAIL,
            phone=None,
            name=None,
            facts=facts,
            queued_at=QUEUED_AT,
        ),
        application_id="a",
    )
    assert message["Subject"] == "Hemos recibido tu solicitud"
    assert "Hola:" in body(message, "plain")


def test_html_escapes_what_the_customer_typed_and_text_keeps_it_as_typed() -> None:
    name = '<script>alert("x")</script> & Co'
    message = NotificationComposer().email(
        notice("application_received", name=name), application_id="a"
    )
    html = body(message, "html")
    text = body(message, "plain")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; Co" in html
    assert name in text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_declined_message_is_neutral_and_gives_no_reason(locale: Locale) -> None:
    message = NotificationComposer().email(
        notice("application_declined", locale), application_id="a"
    )
    words = (message["Subject"] + body(message, "plain") + body(message, "html")).lower()
    tipping_off = [
        "sanction", "sancion", "list", "screen", "watch", "pep", "politic", "polític",
        "bureau", "buró", "score", "puntaje", "credit history", "historial", "fraud", "fraude",
        "reason", "motivo", "because", "porque", "verif", "compliance", "cumplimiento",
    ]  # fmt: skip
    assert [word for word in tipping_off if word in words] == []


def test_keys_the_templates_do_not_know_never_reach_a_message() -> None:
    facts = NotificationFacts.model_validate(
        {"product_code": "GOLD", "reasons": ["sanctions list hit"], "address": "Calle 1"}
    )
    assert facts.model_dump(exclude_none=True) == {"product_code": "GOLD"}


def test_a_card_is_only_ever_shown_by_its_last_four_digits() -> None:
    assert NotificationFacts(card_last4="4242").masked_card == "\u2022\u2022\u2022\u2022 4242"
    as_the_saga_sends_it = {"masked_card_number": "\u2022\u2022\u2022\u2022 4242"}
    assert NotificationFacts.model_validate(as_the_saga_sends_it).card_last4 == "4242"
    with pytest.raises(ValidationError):
        NotificationFacts(card_last4="4111111111111111")
    with pytest.raises(ValidationError) as refused:
        NotificationFacts.model_validate({"masked_card_number": "4111 1111 1111 1111"})
    assert "4111" not in str(refused.value)  # the refusal does not repeat the number


def test_a_welcome_letter_without_limit_or_agreement_leaves_them_out() -> None:
    facts = NotificationFacts(product_code="CLASSIC", card_last4="1881")
    message = NotificationComposer().email(notice("card_shipped", facts=facts), application_id="a")
    [letter] = message.iter_attachments()
    pdf = letter.get_payload(decode=True)
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF-")
    assert "Classic Visa" in body(message, "plain")


def test_an_offer_without_a_limit_says_nothing_about_one() -> None:
    facts = NotificationFacts(product_code="GOLD")
    composer = NotificationComposer()
    text = body(composer.email(notice("offer_made", facts=facts), application_id="a"), "plain")
    sms = composer.sms(notice("offer_made", facts=facts), application_id="a")
    assert "None" not in text
    assert "Credit limit" not in text
    assert "None" not in sms
    assert "limit" not in sms


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("milestone", sorted(NotificationSettings().sms_milestones))
def test_text_messages_fit_one_sms_and_never_name_the_customer(
    milestone: Milestone, locale: Locale
) -> None:
    text = NotificationComposer().sms(notice(milestone, locale), application_id="app-7")
    assert 20 < len(text) <= 160
    assert "Ana" not in text
    assert "\n" not in text


def test_a_milestone_without_a_text_template_gets_no_sms() -> None:
    composer = NotificationComposer()
    assert composer.has_sms("card_shipped", "es")
    assert not composer.has_sms("application_declined", "en")


def test_message_ids_are_deterministic_and_safe_for_a_header() -> None:
    assert message_id_for("app-1", "card_shipped") == "<app-1.card_shipped@journey>"
    assert message_id_for("a b<c>@d", "offer_made", "bank.example") == (
        "<a-b-c--d.offer_made@bank.example>"
    )


def test_amounts_and_dates_read_naturally_in_each_language() -> None:
    assert money(12500, "USD", "en") == "12,500 USD"
    assert money(12500, "MXN", "es") == "12.500 MXN"
    assert long_date(QUEUED_AT, "en") == "14 March 2026"
    assert long_date(QUEUED_AT, "es") == "14 de marzo de 2026"


def test_the_offer_shows_its_limit_rate_fee_and_expiry() -> None:
    message = NotificationComposer().email(notice("offer_made"), application_id="a")
    text = body(message, "plain")
    assert message["Subject"] == "Your Gold Mastercard offer is ready"
    for shown in ("4,000 USD", "28.99%", "60 USD", "15 January 2026"):
        assert shown in text


def test_amounts_are_in_the_catalogs_currency_whatever_the_fallback_setting() -> None:
    facts = facts_for("offer_made").model_copy(update={"currency": None})
    composer = NotificationComposer(NotificationSettings(currency="EUR"))
    text = body(composer.email(notice("offer_made", facts=facts), application_id="a"), "plain")
    assert "4,000 USD" in text
    assert "EUR" not in text


def test_a_re_rendered_message_keeps_its_date_and_message_id() -> None:
    composer = NotificationComposer()
    first = composer.email(notice("card_shipped"), application_id="a")
    again = composer.email(notice("card_shipped"), application_id="a")
    assert (first["Date"], first["Message-ID"]) == (again["Date"], again["Message-ID"])
    [letter] = first.iter_attachments()
    [same] = again.iter_attachments()
    assert letter.get_payload(decode=True) == same.get_payload(decode=True)
