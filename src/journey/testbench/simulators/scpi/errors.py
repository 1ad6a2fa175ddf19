"""SCPI error codes a simulated instrument queues, with their standard texts (SCPI-99 §21.8)."""

from __future__ import annotations

STANDARD_MESSAGES: dict[int, str] = {
    -100: "Command error",
    -101: "Invalid character",
    -102: "Syntax error",
    -103: "Invalid separator",
    -104: "Data type error",
    -108: "Parameter not allowed",
    -109: "Missing parameter",
    -113: "Undefined header",
    -114: "Header suffix out of range",
    -120: "Numeric data error",
    -131: "Invalid suffix",
    -138: "Suffix not allowed",
    -141: "Invalid character data",
    -200: "Execution error",
    -221: "Settings conflict",
    -222: "Data out of range",
    -223: "Too much data",
    -224: "Illegal parameter value",
    -230: "Data corrupt or stale",
    -240: "Hardware error",
    -350: "Queue overflow",
    -410: "Query INTERRUPTED",
}


class ScpiError(Exception):
    """Raised by a command handler; the instrument queues it and the command has no effect."""

    def __init__(self, code: int, detail: str | None = None) -> None:
        self.code = code
        self.detail = detail
        super().__init__(self.entry())

    def entry(self) -> str:
        """The `SYST:ERR?` reply: `-222,"Data out of range; frequency 1E+12"`."""
        text = STANDARD_MESSAGES.get(self.code, "Device-specific error")
        if self.detail:
            text = f"{text}; {self.detail}"
        return f'{self.code},"{text.replace(chr(34), chr(39))}"'
