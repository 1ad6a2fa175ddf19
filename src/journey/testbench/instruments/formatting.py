"""SCPI-safe forms of the values a driver sends.

Instruments parse numbers with a strict grammar: no locale (a decimal comma is a separator in
SCPI), no thousands separators, no `nan`/`inf`, an exponent where the magnitude needs one. Channel
lists carry no spaces (some firmware rejects `(@101, 102)`). Strings are quoted, with embedded
quotes doubled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

_SIGNIFICANT = 12  # well past any instrument's resolution; keeps 13.56e6 exact


def number(value: float | int) -> str:
    """A number in SCPI <NRf> form: `13560000`, `-10`, `8.475E+05`, `1.5E-09`.

    Python's formatting ignores the locale, so `1,5` can never appear; integers stay integers,
    other values get up to 12 significant digits with an upper-case exponent when needed.
    """
    if isinstance(value, bool):
        raise TypeError("booleans are sent with `boolean`, not as numbers")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} cannot be sent to an instrument")
    if value == 0:
        return "0"  # also turns -0.0 into 0
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, f".{_SIGNIFICANT}G")


def boolean(value: bool) -> str:
    return "ON" if value else "OFF"


def quoted(text: str) -> str:
    """A SCPI string parameter: double-quoted, embedded quotes doubled, printable ASCII only."""
    if not text.isascii() or not text.isprintable():
        raise ValueError(f"{text!r} is not printable ASCII")
    return '"' + text.replace('"', '""') + '"'


def channel_list(channels: Iterable[int]) -> str:
    """`(@1101,1205)`: explicit numbers in the order given, no spaces, no ranges."""
    numbers = [int(channel) for channel in channels]
    if not numbers:
        raise ValueError("a channel list needs at least one channel")
    if any(channel <= 0 for channel in numbers):
        raise ValueError(f"channel numbers are positive: {numbers}")
    return "(@" + ",".join(str(channel) for channel in numbers) + ")"


def parse_bool(reply: str) -> bool:
    """A SCPI boolean reply (`1`/`0`, some firmware answers `ON`/`OFF`)."""
    text = reply.strip().upper()
    if text in {"1", "ON", "+1"}:
        return True
    if text in {"0", "OFF", "+0"}:
        return False
    raise ValueError(f"not a boolean reply: {reply!r}")


def parse_floats(reply: str) -> list[float]:
    """A comma-separated list of numbers (a trace, a channel state list)."""
    text = reply.strip()
    if not text:
        return []
    return [float(part) for part in text.split(",")]


def unquote(reply: str) -> str:
    """A SCPI string reply without its quotes."""
    text = reply.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].replace(text[0] * 2, text[0])
    return text
