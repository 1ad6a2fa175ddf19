"""The shipping label: its facts (`ShippingLabel`) and its printable A6 PDF (fpdf2).

The PDF holds the recipient's name and address, so it travels only inside a `Personal[...]`
field. Rendering is deterministic (fixed creation date, no random ids): the same label always
gives the same bytes.
"""

from __future__ import annotations

import base64
import unicodedata

from fpdf import FPDF

from journey.command_side.logistics.carrier import Booking
from journey.command_side.logistics.events import ShippingAddress, ShippingLabel

_SERVICE_TITLES = {"standard": "STANDARD", "priority": "PRIORITY", "express": "EXPRESS"}


def make_label(booking: Booking) -> ShippingLabel:
    """The label's facts for a booking."""
    return ShippingLabel(
        label_id=f"LBL-{booking.tracking_number}",
        carrier=booking.carrier,
        tracking_number=booking.tracking_number,
        service_level=booking.service_level,
        created_at=booking.booked_at,
        estimated_delivery=booking.estimated_delivery,
    )


def render_label_pdf(
    label: ShippingLabel,
    *,
    recipient_name: str,
    address: ShippingAddress,
    phone: str | None = None,
    return_address: tuple[str, ...] = ("Customer Journey Card Centre", "Returns department"),
    compress: bool = True,
) -> bytes:
    """An A6 label: carrier and service, recipient block, Code 39 barcode of the tracking
    number, and the return address. (`compress=False` leaves the text readable in the bytes.)"""
    width, height = label.page_size_mm
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_compression(compress)
    pdf.set_creation_date(label.created_at)
    pdf.set_title(label.label_id)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(6, 6, 6)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, _text(label.carrier.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 5, _SERVICE_TITLES[label.service_level], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=7)
    if label.estimated_delivery is not None:
        eta = label.estimated_delivery.date().isoformat()
        pdf.cell(0, 4, f"Estimated delivery: {eta}", new_x="LMARGIN", new_y="NEXT")
    pdf.line(6, pdf.get_y() + 1, width - 6, pdf.get_y() + 1)

    pdf.set_y(pdf.get_y() + 3)
    pdf.set_font("Helvetica", size=7)
    pdf.cell(0, 4, "DELIVER TO", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    for line in _address_lines(recipient_name, address, phone):
        pdf.cell(0, 5.5, _text(line), new_x="LMARGIN", new_y="NEXT")

    barcode_top = height - 52
    pdf.code39(f"*{label.tracking_number}*", x=8, y=barcode_top, w=0.35, h=16)
    pdf.set_xy(6, barcode_top + 18)
    pdf.set_font("Courier", "B", 11)
    pdf.cell(0, 5, label.tracking_number, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_xy(6, height - 20)
    pdf.set_font("Helvetica", size=6)
    pdf.cell(0, 3, "If undeliverable, return to:", new_x="LMARGIN", new_y="NEXT")
    for line in return_address:
        pdf.cell(0, 3, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 3, f"Label {label.label_id}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def encode_pdf(document: bytes) -> str:
    return base64.b64encode(document).decode("ascii")


def decode_pdf(encoded: str) -> bytes:
    return base64.b64decode(encoded, validate=True)


def _address_lines(name: str, address: ShippingAddress, phone: str | None) -> list[str]:
    lines = [name, address.line1]
    if address.line2:
        lines.append(address.line2)
    locality = " ".join(part for part in (address.postal_code, address.city) if part)
    lines.append(locality)
    if address.region:
        lines.append(address.region)
    lines.append(address.country.upper())
    if phone:
        lines.append(f"Tel. {phone}")
    return lines


_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i"})


def _text(value: str) -> str:
    # The built-in PDF fonts cover Latin-1 only; fold what they cannot print ("Ł" -> "L",
    # "ő" -> "o") and mark the rest with "?" rather than fail to print a label.
    return "".join(_latin1(char) for char in value.translate(_FOLD))


def _latin1(char: str) -> str:
    if ord(char) < 256:
        return char
    base = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if ord(part) < 256 and not unicodedata.combining(part)
    )
    return base or "?"
