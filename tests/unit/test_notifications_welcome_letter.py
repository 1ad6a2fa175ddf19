"""The welcome letter is a valid one-page PDF that says what the customer needs to know."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journey.command_side.notifications import WelcomeLetter, welcome_letter_pdf

LETTER = WelcomeLetter(
    locale="en",
    brand="Journey Bank",
    name="Ana María Núñez",
    product="Gold Mastercard",
    masked_card="\u2022\u2022\u2022\u2022 4242",
    credit_limit="4,000 USD",
    annual_fee="60 USD",
    agreement_version="cardholder-2026-01",
    agreement_hash="sha256:" + "7c1e" * 16,
    carrier="Estafeta",
    tracking_number="EST0001234567",
    dated="14 March 2026",
    reference="app-7",
    support_email="help@journey.example",
    support_phone="+1 555 0100",
    support_url="https://journey.example/help",
    created_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return out.stdout.decode("utf-8")


def test_the_letter_is_a_well_formed_single_page_pdf() -> None:
    pdf = welcome_letter_pdf(LETTER)
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"startxref" in pdf
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"/Title" in pdf


def test_the_letter_shows_the_card_the_agreement_activation_and_support(tmp_path: Path) -> None:
    text = " ".join(pdf_text(welcome_letter_pdf(LETTER), tmp_path).split())
    for shown in (
        "Dear Ana María Núñez,",
        "Gold Mastercard",
        "\u2022\u2022\u2022\u2022 4242",
        "4,000 USD",
        "cardholder-2026-01",
        "7c1e7c1e",
        "Activating your card",
        "help@journey.example",
        "+1 555 0100",
        "Application reference app-7",
    ):
        assert shown in text, shown


def test_the_spanish_letter_is_in_spanish(tmp_path: Path) -> None:
    text = " ".join(pdf_text(welcome_letter_pdf(replace(LETTER, locale="es")), tmp_path).split())
    assert "Carta de bienvenida" in text
    assert "Cómo activar tu tarjeta" in text
    assert "Estimado/a Ana María Núñez:" in text


def test_a_name_the_pdf_fonts_cannot_draw_is_simplified_not_fatal(tmp_path: Path) -> None:
    letter = replace(LETTER, name="Łukasz Nguyễn 王")
    text = pdf_text(welcome_letter_pdf(letter), tmp_path)
    assert "Lukasz Nguyen ?" in text


def test_a_letter_made_twice_is_byte_identical() -> None:
    assert welcome_letter_pdf(LETTER) == welcome_letter_pdf(LETTER)


def test_the_letter_renders_to_an_image(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "letter.pdf"
    source.write_bytes(welcome_letter_pdf(LETTER))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(source), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=30,
    )
    [page] = sorted(tmp_path.glob("page*.png"))
    assert page.read_bytes().startswith(b"\x89PNG")


def test_a_letter_without_its_agreement_points_to_the_copy_in_the_app(tmp_path: Path) -> None:
    letter = replace(LETTER, agreement_version=None, agreement_hash=None, credit_limit=None)
    text = " ".join(pdf_text(welcome_letter_pdf(letter), tmp_path).split())
    assert "is in the app under Cards > Documents" in text
    assert "Fingerprint" not in text
    assert "Credit limit" not in text


def test_a_detail_too_long_for_its_line_wraps_within_the_page(tmp_path: Path) -> None:
    product = "Gold Mastercard with travel insurance, airport lounges and cashback " * 2
    pdf = welcome_letter_pdf(replace(LETTER, product=product.strip()))
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    text = " ".join(pdf_text(pdf, tmp_path).split())
    # Once in the introduction, once, whole, beside its label.
    assert text.count("airport lounges and cashback Gold Mastercard with travel insurance") == 2
