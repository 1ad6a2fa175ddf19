"""SCPI parameters: numbers with units and multipliers, booleans, enumerations, strings, lists.

Numbers accept `13.56MHz`, `13.56 MHZ`, `-10dBm`, `847.5e3`, `+2000000`, `MIN`/`MAX`/`DEF`.
A wrong unit is -131, a unit where none belongs -138, a non-number -104, out of range -222.
As in SCPI, `M` means milli except in `MHZ` (mega-hertz).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from journey.testbench.simulators.scpi.errors import ScpiError

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z%]*)\s*$")

UNITS: dict[str, dict[str, float]] = {
    "HZ": {"HZ": 1.0, "KHZ": 1e3, "MHZ": 1e6, "MAHZ": 1e6, "GHZ": 1e9},
    "DBM": {"DBM": 1.0},
    "DB": {"DB": 1.0},
    "S": {"S": 1.0, "MS": 1e-3, "US": 1e-6, "NS": 1e-9},
    "PCT": {"PCT": 1.0},
    "OHM": {"OHM": 1.0, "KOHM": 1e3, "MOHM": 1e6},
}


@dataclass(frozen=True, slots=True)
class NumberSpec:
    """What a numeric parameter accepts: its base unit (or none), range, MIN/MAX/DEF values."""

    low: float
    high: float
    unit: str | None = None
    default: float | None = None
    integer: bool = False

    def parse(self, text: str, what: str) -> float:
        keyword = text.strip().upper()
        if keyword in {"MIN", "MINIMUM"}:
            return self.low
        if keyword in {"MAX", "MAXIMUM"}:
            return self.high
        if keyword in {"DEF", "DEFAULT"}:
            if self.default is None:
                raise ScpiError(-224, f"{what} has no default")
            return self.default
        match = _NUMBER.match(text)
        if match is None:
            raise ScpiError(-104, f"{what} expects a number, got {text.strip()[:20]!r}")
        value = float(match.group(1))
        suffix = match.group(2).upper()
        if suffix:
            if self.unit is None:
                raise ScpiError(-138, f"{what} takes no unit ({suffix})")
            multiplier = UNITS[self.unit].get(suffix)
            if multiplier is None:
                raise ScpiError(-131, f"{suffix} is not a unit of {what}")
            value *= multiplier
        if self.integer and not value.is_integer():
            raise ScpiError(-224, f"{what} must be a whole number")
        if not self.low <= value <= self.high:
            raise ScpiError(-222, f"{what} {value:g} outside {self.low:g}..{self.high:g}")
        return value


def parse_bool(text: str, what: str) -> bool:
    word = text.strip().upper()
    if word in {"ON", "1"}:
        return True
    if word in {"OFF", "0"}:
        return False
    raise ScpiError(-224, f"{what} expects ON|OFF|1|0")


def parse_choice(text: str, choices: Sequence[str], what: str) -> str:
    """An enumerated parameter; choices are written `SHORTlong` (`ZREFlection`). Returns short."""
    word = text.strip().upper()
    for choice in choices:
        short = "".join(ch for ch in choice if not ch.islower())
        if word in (short, choice.upper()):
            return short
    raise ScpiError(-224, f"{what} expects one of {'|'.join(choices)}")


def parse_string(text: str, what: str) -> str:
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].replace(value[0] * 2, value[0])
    raise ScpiError(-104, f"{what} expects a quoted string")


_CHANNELS = re.compile(r"^\(\s*@\s*(.*?)\s*\)$")


def parse_channel_list(text: str, what: str = "channel list") -> list[int]:
    """`(@1101,1205:1207)` → [1101, 1205, 1206, 1207] (ranges expand in order)."""
    match = _CHANNELS.match(text.strip())
    if match is None:
        raise ScpiError(-104, f"{what} expects (@...)")
    channels: list[int] = []
    for item in match.group(1).split(","):
        part = item.strip()
        if not part:
            raise ScpiError(-102, f"empty entry in {what}")
        first, _, last = part.partition(":")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ScpiError(-102, f"{part!r} is not a channel")
        low, high = int(first), int(last or first)
        if high < low:
            low, high = high, low
        channels.extend(range(low, high + 1))
    return channels


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split `text` on `separator` where it stands outside quotes and parentheses; each part
    stripped."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    current: list[str] = []
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts


def split_parameters(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses; empty text has no parameters."""
    if not text.strip():
        return []
    parts = _split_outside_quotes(text, ",")
    if any(part == "" for part in parts):
        raise ScpiError(-103, "empty parameter")
    return parts


def split_units(message: str) -> list[str]:
    """Split a program message into its commands on `;` outside quotes and parentheses."""
    return [unit for unit in _split_outside_quotes(message, ";") if unit]


def format_number(value: float) -> str:
    """Replies in base units, scientific notation: `+1.35600000E+07`."""
    return f"{value:+.8E}"
