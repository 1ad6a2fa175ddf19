"""The welcome letter: a one-page PDF (fpdf2) attached to the `card_shipped` email.

It shows the product, the card by its last four digits only, the credit limit, a summary of the
accepted agreement (its text version and hash, so the customer can match it with what they
signed), how to activate the card and how to reach support.

The letter uses the PDF core fonts with the Windows-1252 encoding (no font files to ship); a
character outside it is written without its accent, or as `?`, rather than failing the delivery.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from journey.command_side.notifications.messages import Locale

_NAVY = (11, 61, 145)
_GREY = (91, 103, 117)
_INK = (29, 39, 51)
_ENCODING = "windows-1252"
_LABEL_WIDTH = 45  # mm: the label column of the detail rows
# Latin letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i", "Ŧ": "T", "ŧ": "t"}
)


@dataclass(frozen=True, slots=True)
class WelcomeLetter:
    """What the letter says. Amounts and dates arrive formatted for `locale`."""

    locale: Locale
    brand: str
    name: str | None
    product: str
    masked_card: str
    credit_limit: str | None
    annual_fee: str | None
    agreement_version: str | None
    agreement_hash: str | None
    carrier: str | None
    tracking_number: str | None
    dated: str
    reference: str
    support_email: str
    support_phone: str
    support_url: str
    created_at: datetime  # the PDF's creation date: a re-sent letter is byte-identical


_TEXT: dict[Locale, dict[str, str]] = {
    "en": {
        "title": "Welcome letter",
        "dear": "Dear {name},",
        "dear_anonymous": "Dear customer,",
        "intro": (
            "Welcome to {brand}. Your new {product} is on its way to you. This letter sums up "
            "your card and your agreement, and tells you how to start using the card."
        ),
        "card": "Your card",
        "product": "Product",
        "number": "Card number",
        "limit": "Credit limit",
        "fee": "Annual fee",
        "shipping": "Shipping",
        "agreement": "Your agreement",
        "agreement_text": (
            "You accepted the cardholder agreement, text version {version}. Its fingerprint "
            "(SHA-256) is printed below: it matches the copy in your app, so you can check that "
            "the terms you accepted are the terms we keep."
        ),
        "agreement_in_app": (
            "Your cardholder agreement, as you accepted it, is in the app under Cards > Documents."
        ),
        "version": "Text version",
        "fingerprint": "Fingerprint",
        "activate": "Activating your card",
        "step1": "Check that the envelope is sealed, then sign the back of your card.",
        "step2": "Open the {brand} app and go to Cards > Activate, or visit {url}.",
        "step3": "Choose your PIN in the app. Memorise it and never write it down.",
        "step4": "Your card works in shops, online and contactless as soon as it is active.",
        "help": "Need help?",
        "help_text": "Email {email} or call {phone}. More answers at {url}.",
        "security": (
            "{brand} will never ask you for your PIN, your full card number or a security code, "
            "by phone, email or text message."
        ),
        "reference": "Application reference {reference}",
    },
    "es": {
        "title": "Carta de bienvenida",
        "dear": "Estimado/a {name}:",
        "dear_anonymous": "Estimado/a cliente:",
        "intro": (
            "Te damos la bienvenida a {brand}. Tu nueva {product} ya está en camino. Esta carta "
            "resume tu tarjeta y tu contrato, y te explica cómo empezar a usarla."
        ),
        "card": "Tu tarjeta",
        "product": "Producto",
        "number": "Número de tarjeta",
        "limit": "Límite de crédito",
        "fee": "Cuota anual",
        "shipping": "Envío",
        "agreement": "Tu contrato",
        "agreement_text": (
            "Aceptaste el contrato de titular, versión del texto {version}. Debajo figura su "
            "huella (SHA-256): coincide con la copia de tu app, así puedes comprobar que las "
            "condiciones que aceptaste son las que guardamos."
        ),
        "agreement_in_app": (
            "Tu contrato de titular, tal como lo aceptaste, está en la app, en "
            "Tarjetas > Documentos."
        ),
        "version": "Versión del texto",
        "fingerprint": "Huella",
        "activate": "Cómo activar tu tarjeta",
        "step1": "Comprueba que el sobre está cerrado y firma el reverso de la tarjeta.",
        "step2": "Abre la app de {brand} y entra en Tarjetas > Activar, o visita {url}.",
        "step3": "Elige tu PIN en la app. Memorízalo y no lo apuntes nunca.",
        "step4": (
            "Tu tarjeta funciona en tiendas, en internet y sin contacto en cuanto esté activa."
        ),
        "help": "¿Necesitas ayuda?",
        "help_text": "Escribe a {email} o llama al {phone}. Más respuestas en {url}.",
        "security": (
            "{brand} nunca te pedirá tu PIN, el número completo de tu tarjeta ni un código de "
            "seguridad, ni por teléfono, ni por correo, ni por SMS."
        ),
        "reference": "Referencia de la solicitud {reference}",
    },
}


def welcome_letter_pdf(letter: WelcomeLetter) -> bytes:
    """The letter as PDF bytes (one A4 page)."""
    text = _TEXT[letter.locale]
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = _ENCODING
    pdf.set_creation_date(letter.created_at)
    pdf.set_title(_safe(f"{letter.brand} - {text['title']}"))
    pdf.set_author(_safe(letter.brand))
    pdf.set_lang(letter.locale)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    _header(pdf, letter, text)
    _card(pdf, letter, text)
    _agreement(pdf, letter, text)
    _activation(pdf, letter, text)
    _support(pdf, letter, text)
    return bytes(pdf.output())


def _header(pdf: FPDF, letter: WelcomeLetter, text: dict[str, str]) -> None:
    width = pdf.epw
    pdf.set_fill_color(*_NAVY)
    pdf.rect(0, 0, pdf.w, 30, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(20, 9)
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(width / 2, 12, _safe(letter.brand))
    pdf.set_font("helvetica", "", 12)
    pdf.cell(width / 2, 12, _safe(text["title"]), align="R")
    pdf.set_xy(20, 40)
    pdf.set_text_color(*_GREY)
    pdf.set_font("helvetica", "", 10)
    pdf.cell(width, 6, _safe(letter.dated), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_INK)
    pdf.set_font("helvetica", "", 11)
    greeting = text["dear"].format(name=letter.name) if letter.name else text["dear_anonymous"]
    pdf.cell(width, 8, _safe(greeting), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    intro = text["intro"].format(brand=letter.brand, product=letter.product)
    _paragraph(pdf, intro, 5.5)


def _card(pdf: FPDF, letter: WelcomeLetter, text: dict[str, str]) -> None:
    _heading(pdf, text["card"])
    rows = [(text["product"], letter.product), (text["number"], letter.masked_card)]
    if letter.credit_limit:
        rows.append((text["limit"], letter.credit_limit))
    if letter.annual_fee:
        rows.append((text["fee"], letter.annual_fee))
    if letter.tracking_number:
        carrier = f"{letter.carrier} " if letter.carrier else ""
        rows.append((text["shipping"], f"{carrier}{letter.tracking_number}"))
    _details(pdf, rows)


def _agreement(pdf: FPDF, letter: WelcomeLetter, text: dict[str, str]) -> None:
    _heading(pdf, text["agreement"])
    pdf.set_font("helvetica", "", 11)
    if not (letter.agreement_version and letter.agreement_hash):
        # Not given to us: point to where the customer finds it rather than print blanks.
        _paragraph(pdf, text["agreement_in_app"], 5.5)
        return
    _paragraph(pdf, text["agreement_text"].format(version=letter.agreement_version), 5.5)
    pdf.ln(1)
    _details(pdf, [(text["version"], letter.agreement_version)])
    pdf.set_font("helvetica", "B", 10)
    pdf.set_text_color(*_GREY)
    pdf.cell(_LABEL_WIDTH, 6, _safe(text["fingerprint"]))
    pdf.set_text_color(*_INK)
    pdf.set_font("courier", "", 9)
    _paragraph(pdf, letter.agreement_hash, 5)  # the same for everyone who accepted that text


def _activation(pdf: FPDF, letter: WelcomeLetter, text: dict[str, str]) -> None:
    _heading(pdf, text["activate"])
    steps = [
        text["step1"],
        text["step2"].format(brand=letter.brand, url=letter.support_url),
        text["step3"],
        text["step4"],
    ]
    for number, step in enumerate(steps, start=1):
        pdf.set_font("helvetica", "B", 11)
        pdf.set_text_color(*_NAVY)
        pdf.cell(8, 6, f"{number}.")
        pdf.set_font("helvetica", "", 11)
        pdf.set_text_color(*_INK)
        _paragraph(pdf, step, 6)


def _support(pdf: FPDF, letter: WelcomeLetter, text: dict[str, str]) -> None:
    _heading(pdf, text["help"])
    pdf.set_font("helvetica", "", 11)
    help_text = text["help_text"].format(
        email=letter.support_email, phone=letter.support_phone, url=letter.support_url
    )
    _paragraph(pdf, help_text, 5.5)
    pdf.ln(3)
    pdf.set_fill_color(243, 245, 248)
    pdf.set_font("helvetica", "B", 10)
    _boxed_paragraph(pdf, text["security"].format(brand=letter.brand), 5.5, padding=3)
    # Footer: the reference support will ask for (an id, never personal data). It sits in the
    # bottom margin, so automatic page breaks must not push it onto a page of its own.
    pdf.set_auto_page_break(auto=False)
    pdf.set_y(-16)
    pdf.set_font("helvetica", "", 8)
    pdf.set_text_color(*_GREY)
    reference = text["reference"].format(reference=letter.reference)
    pdf.cell(pdf.epw, 5, _safe(reference), align="C")


def _heading(pdf: FPDF, title: str) -> None:
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 13)
    pdf.set_text_color(*_NAVY)
    pdf.cell(pdf.epw, 8, _safe(title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*_NAVY)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(2)
    pdf.set_text_color(*_INK)


def _details(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        pdf.set_font("helvetica", "B", 10)
        pdf.set_text_color(*_GREY)
        pdf.cell(_LABEL_WIDTH, 6.5, _safe(label))
        pdf.set_font("helvetica", "", 11)
        pdf.set_text_color(*_INK)
        _value(pdf, _safe(value), pdf.epw - _LABEL_WIDTH, 6.5)


def _value(pdf: FPDF, value: str, width: float, line_height: float) -> None:
    """A customer's detail: one cell when it fits on a line (almost always), else wrapped."""
    if pdf.get_string_width(value) <= width - 2 * pdf.c_margin:
        pdf.cell(width, line_height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(width, line_height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraph(pdf: FPDF, text: str, line_height: float) -> None:
    """`text` from the current position to the right margin, left-aligned, wrapped as fpdf2's
    `multi_cell` wraps it; the cursor ends at the left margin under it."""
    x = pdf.get_x()
    width = pdf.l_margin + pdf.epw - x
    lines = _lines(_safe(text), width, pdf.font_family, pdf.font_style, pdf.font_size_pt)
    _draw_lines(pdf, lines, x, width, line_height)


def _boxed_paragraph(pdf: FPDF, text: str, line_height: float, *, padding: float) -> None:
    """`text` left-aligned, as the letter's other paragraphs, in a box of the fill colour across
    the page, `padding` mm around it (standing in for the cell margin, as `multi_cell`'s does)."""
    inside = pdf.epw - 2 * padding + 2 * pdf.c_margin  # a cell's width: its margins included
    lines = _lines(_safe(text), inside, pdf.font_family, pdf.font_style, pdf.font_size_pt)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, len(lines) * line_height + 2 * padding, style="F")
    pdf.set_y(top + padding)
    _draw_lines(pdf, lines, pdf.l_margin + padding - pdf.c_margin, inside, line_height)
    pdf.set_y(pdf.get_y() + padding)


def _draw_lines(
    pdf: FPDF, lines: tuple[str, ...], x: float, width: float, line_height: float
) -> None:
    """One cell per line, each starting at `x`; the cursor ends at the left margin under them."""
    for line in lines:
        pdf.set_x(x)
        pdf.cell(width, line_height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# fpdf2 breaks a line measuring it again for every character it adds (90 % of a letter's 20 ms);
# a letter's paragraphs are the same for every customer of a brand and product, so their breaks
# are worked out once. Only paragraphs are kept here, never a customer's details.
@functools.lru_cache(maxsize=512)
def _lines(text: str, width: float, family: str, style: str, size: float) -> tuple[str, ...]:
    """fpdf2's own line breaks of `text` in `width` mm (in that font)."""
    scratch = FPDF(format="A4")
    scratch.core_fonts_encoding = _ENCODING
    scratch.set_margins(0, 0, 0)
    scratch.add_page()
    scratch.set_font(family, style, size)
    lines = scratch.multi_cell(width, 1, text, dry_run=True, output=MethodReturnValue.LINES)
    if not isinstance(lines, list):  # the type of fpdf2's answer depends on `output`
        raise TypeError(f"fpdf2 answered {type(lines).__name__} for the lines of a paragraph")
    return tuple(str(line) for line in lines)


def _safe(text: str) -> str:
    """`text` in what the core fonts can draw: unsupported letters lose their accents (so a name
    in any Latin script stays readable), anything else becomes `?`."""
    out = []
    for char in text.translate(_UNDECOMPOSABLE):
        try:
            char.encode(_ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)[0]
            try:
                base.encode(_ENCODING)
            except UnicodeEncodeError:
                base = "?"
            out.append(base)
        else:
            out.append(char)
    return "".join(out)
