"""Turning a queued notification into the email and the text message the customer receives.

Templates live in `templates/<locale>/<milestone>.{txt,html,sms}.j2` (Jinja2; HTML autoescaped).
The text template sets `subject`. Rendering depends only on the queued notification and the
settings, so every delivery attempt of a milestone produces the same message.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from journey.catalog import UnknownProduct, default_catalog
from journey.command_side.notifications.aggregate import Notice
from journey.command_side.notifications.messages import Locale, NotificationFacts
from journey.command_side.notifications.settings import NotificationSettings
from journey.command_side.notifications.welcome_letter import WelcomeLetter, welcome_letter_pdf

WELCOME_LETTER_FILENAME = "welcome-letter.pdf"

_MONTHS: dict[Locale, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip
_PRODUCT_FALLBACK: dict[Locale, str] = {"en": "card", "es": "tarjeta"}
_NOT_ATOM = re.compile(r"[^A-Za-z0-9_-]")


def message_id_for(application_id: str, milestone: str, domain: str = "journey") -> str:
    """The Message-ID of a milestone's email: the same for every attempt, so a receiver that
    sees it twice can drop the copy. Characters a Message-ID cannot hold become `-`."""
    return f"<{_NOT_ATOM.sub('-', application_id)}.{milestone}@{domain}>"


def sms_reference_for(message_id: str) -> str:
    """The reference of a milestone's text message, derived from its email's Message-ID."""
    return "sms:" + message_id.strip("<>")


def complete_facts(facts: NotificationFacts) -> NotificationFacts:
    """Fill the product's name, and the currency its amounts are in, from the catalog when only
    its code was given."""
    if facts.product_code is None or (facts.product_name and facts.currency):
        return facts
    catalog = default_catalog()
    try:
        product = catalog.product(facts.product_code)
    except UnknownProduct:
        return facts
    return facts.model_copy(
        update={
            "product_name": facts.product_name or product.name,
            "currency": facts.currency or catalog.currency,
        }
    )


class _CachedHeaderClasses(HeaderRegistry):
    """The standard header registry, minus its cost: it builds a new class (`type(...)`) for
    every header set on a message, which was a fifth of composing an email."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


EMAIL_POLICY = policy.default.clone(header_factory=_CachedHeaderClasses())
"""`email.policy.default` with the header classes cached: what our emails are built with."""


class NotificationComposer:
    """Renders milestones with the package's templates (or another loader's, for tests)."""

    def __init__(
        self, settings: NotificationSettings | None = None, env: Environment | None = None
    ) -> None:
        self.settings = settings or NotificationSettings()
        self._env = env or Environment(
            loader=PackageLoader("journey.command_side.notifications", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,  # a misspelt variable fails the render, not the customer
            trim_blocks=False,
            keep_trailing_newline=False,
        )
        self._templates: frozenset[str] | None = None

    def locale_of(self, notice: Notice) -> Locale:
        return notice.facts.locale or self.settings.locale

    def email(self, notice: Notice, *, application_id: str) -> EmailMessage:
        """The milestone's email (text + HTML; the welcome letter attached for `card_shipped`).

        `notice.email` must be set (the caller checks for an erased recipient first).
        """
        assert notice.email is not None
        locale = self.locale_of(notice)
        context = self.context(notice, application_id=application_id)
        text_module = self._env.get_template(f"{locale}/{notice.milestone}.txt.j2").make_module(
            context
        )
        subject = " ".join(str(getattr(text_module, "subject", "")).split())
        if not subject:
            raise ValueError(f"{locale}/{notice.milestone}.txt.j2 sets no subject")
        text = str(text_module).strip() + "\n"
        html = self._env.get_template(f"{locale}/{notice.milestone}.html.j2").render(
            context, subject=subject
        )
        s = self.settings
        message = EmailMessage(policy=EMAIL_POLICY)
        message["From"] = formataddr((s.sender_name, s.sender))
        message["To"] = Address(display_name=notice.name or "", addr_spec=notice.email)
        if s.reply_to:
            message["Reply-To"] = s.reply_to
        message["Subject"] = subject
        message["Date"] = format_datetime(notice.queued_at)
        message["Message-ID"] = notice.message_id
        message["Auto-Submitted"] = "auto-generated"
        message["X-Journey-Milestone"] = notice.milestone
        message["X-Journey-Application"] = application_id
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        if notice.milestone == "card_shipped":
            message.add_attachment(
                welcome_letter_pdf(self.letter(notice, application_id=application_id)),
                maintype="application",
                subtype="pdf",
                filename=WELCOME_LETTER_FILENAME,
            )
        # Last: building the body moves Content-* headers into the parts it creates.
        message["Content-Language"] = locale
        return message

    def sms(self, notice: Notice, *, application_id: str) -> str:
        """The milestone's text message (no name in it: texts show on locked screens)."""
        locale = self.locale_of(notice)
        context = self.context(notice, application_id=application_id)
        context["name"] = None
        text = self._env.get_template(f"{locale}/{notice.milestone}.sms.j2").render(context)
        return " ".join(text.split())

    def has_sms(self, milestone: str, locale: Locale | None = None) -> bool:
        """Whether a text message is written for this milestone (in this language)."""
        if self._templates is None:
            self._templates = frozenset(self._env.list_templates(extensions=["j2"]))
        return f"{locale or self.settings.locale}/{milestone}.sms.j2" in self._templates

    def letter(self, notice: Notice, *, application_id: str) -> WelcomeLetter:
        """The welcome letter's content for a `card_shipped` notice."""
        facts = notice.facts
        locale = self.locale_of(notice)
        s = self.settings
        return WelcomeLetter(
            locale=locale,
            brand=s.brand,
            name=notice.name,
            product=self._product(facts, locale),
            masked_card=facts.masked_card or "",
            credit_limit=money(facts.credit_limit, facts.currency or s.currency, locale),
            annual_fee=money(facts.annual_fee or None, facts.currency or s.currency, locale),
            agreement_version=facts.agreement_text_version,
            agreement_hash=facts.agreement_text_hash,
            carrier=facts.carrier,
            tracking_number=facts.tracking_number,
            dated=long_date(notice.queued_at, locale),
            reference=application_id,
            support_email=s.support_email,
            support_phone=s.support_phone,
            support_url=s.support_url,
            created_at=notice.queued_at,
        )

    def context(self, notice: Notice, *, application_id: str) -> dict[str, Any]:
        facts = notice.facts
        locale = self.locale_of(notice)
        s = self.settings
        currency = facts.currency or s.currency
        return {
            "locale": locale,
            "brand": s.brand,
            "name": notice.name,
            "reference": application_id,
            "product": self._product(facts, locale),
            "card_last4": facts.card_last4,
            "masked_card": facts.masked_card,
            "credit_limit": money(facts.credit_limit, currency, locale),
            "annual_fee": money(facts.annual_fee or None, currency, locale),
            "apr": None if facts.apr_bps is None else percent(facts.apr_bps, locale),
            "offer_expires": None
            if facts.offer_expires_at is None
            else long_date(facts.offer_expires_at, locale),
            "carrier": facts.carrier,
            "tracking_number": facts.tracking_number,
            "tracking_url": facts.tracking_url,
            "support_email": s.support_email,
            "support_phone": s.support_phone,
            "support_url": s.support_url,
        }

    @staticmethod
    def _product(facts: NotificationFacts, locale: Locale) -> str:
        return facts.product_name or _PRODUCT_FALLBACK[locale]


def money(amount: int | None, currency: str, locale: Locale) -> str | None:
    """`1,500 USD` (en) or `1.500 USD` (es); amounts are whole units of the currency."""
    if amount is None:
        return None
    grouped = f"{amount:,}"
    if locale == "es":
        grouped = grouped.replace(",", ".")
    return f"{grouped} {currency}"


def percent(bps: int, locale: Locale) -> str:
    text = f"{bps / 100:.2f}%"
    return text.replace(".", ",") if locale == "es" else text


def long_date(moment: datetime, locale: Locale) -> str:
    month = _MONTHS[locale][moment.month - 1]
    if locale == "es":
        return f"{moment.day} de {month} de {moment.year}"
    return f"{moment.day} {month} {moment.year}"
