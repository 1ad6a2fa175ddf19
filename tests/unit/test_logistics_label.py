"""The shipping label: an A6 PDF with the recipient and a barcode, the same bytes every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from journey.command_side.logistics import ShippingLabel, decode_pdf, render_label_pdf
from journey.command_side.logistics.label import encode_pdf
from tests.support.logistics import ADDRESS, PHONE, RECIPIENT

LABEL = ShippingLabel(
    label_id="LBL-SC00000000000000017",
    carrier="simcarrier",
    tracking_number="SC00000000000000017",
    service_level="express",
    created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    estimated_delivery=datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(days=1),
)


def test_the_label_is_a_pdf_with_the_recipient_the_service_and_the_tracking_number() -> None:
    pdf = render_label_pdf(
        LABEL, recipient_name=RECIPIENT, address=ADDRESS, phone=PHONE, compress=False
    )
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = pdf.decode("latin-1")
    for expected in (
        "Ana G\xf3mez Ruiz",
        "Calle Reforma 222",
        "06600 Ciudad de M\xe9xico",
        "EXPRESS",
        "SC00000000000000017",
        "Estimated delivery: 2026-03-03",
    ):
        assert expected in text


def test_the_same_label_renders_to_the_same_bytes_and_survives_base64() -> None:
    first = render_label_pdf(LABEL, recipient_name=RECIPIENT, address=ADDRESS)
    assert first == render_label_pdf(LABEL, recipient_name=RECIPIENT, address=ADDRESS)
    assert decode_pdf(encode_pdf(first)) == first
    assert len(first) < 4096  # small enough to keep in the event


def test_names_outside_latin_1_are_folded_instead_of_breaking_the_label() -> None:
    pdf = render_label_pdf(
        LABEL, recipient_name="\u0141ukasz \u0150rs \u674e", address=ADDRESS, compress=False
    )
    assert "Lukasz Ors ?" in pdf.decode("latin-1")
