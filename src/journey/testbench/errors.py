"""Typed failures of the test bench, so callers can tell a bad card from a broken station.

A card that measures out of limits is *not* an exception: it is a FAIL verdict. Everything here
means the station could not measure (an instrument refused a command, did not answer, a route
cannot be made, a configuration is wrong); such a test ends in ERROR and is retried, never passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class TestbenchError(Exception):
    """Base of every test bench failure."""

    __test__ = False  # not a pytest test class, despite the name


@dataclass(frozen=True, slots=True)
class ScpiErrorEntry:
    """One entry of an instrument's error queue (`SYST:ERR?`), e.g. `-222,"Data out of range"`."""

    code: int
    message: str

    _PATTERN = re.compile(r'^\s*([+-]?\d+)\s*,\s*"?(.*?)"?\s*$', re.DOTALL)

    @classmethod
    def parse(cls, reply: str) -> ScpiErrorEntry:
        """Parse a `SYST:ERR?` reply; anything unparsable is kept whole as an error."""
        match = cls._PATTERN.match(reply)
        if match is None:
            return cls(-1, f"unparsable error reply {reply!r}")
        return cls(int(match.group(1)), match.group(2))

    @property
    def is_error(self) -> bool:
        return self.code != 0

    def __str__(self) -> str:
        return f'{self.code},"{self.message}"'


class InstrumentError(TestbenchError):
    """An instrument reported errors in its queue after a command; names the command.

    The subclass tells the SCPI error class of the first entry: `CommandError` (-100…-199, the
    instrument did not understand), `ExecutionError` (-200…-299, understood but could not do it,
    e.g. -222 out of range), `DeviceError` (-300…-399 and positive codes), `QueryError` (-400…).
    """

    def __init__(self, instrument: str, command: str, errors: tuple[ScpiErrorEntry, ...]) -> None:
        self.instrument = instrument
        self.command = command
        self.errors = errors
        listed = "; ".join(str(entry) for entry in errors)
        super().__init__(f"{instrument}: {command!r} failed: {listed}")

    @property
    def code(self) -> int:
        return self.errors[0].code if self.errors else 0

    @staticmethod
    def raised(
        instrument: str, command: str, errors: tuple[ScpiErrorEntry, ...]
    ) -> InstrumentError:
        """The exception of the right class for the first error code."""
        code = errors[0].code if errors else 0
        cls: type[InstrumentError]
        if -199 <= code <= -100:
            cls = CommandError
        elif -299 <= code <= -200:
            cls = ExecutionError
        elif -499 <= code <= -400:
            cls = QueryError
        else:
            cls = DeviceError
        return cls(instrument, command, errors)


class CommandError(InstrumentError):
    """SCPI -1xx: syntax, header or parameter the instrument does not accept."""


class ExecutionError(InstrumentError):
    """SCPI -2xx: a valid command the instrument could not carry out (range, conflict…)."""


class DeviceError(InstrumentError):
    """SCPI -3xx or instrument-specific positive codes: hardware or queue trouble."""


class QueryError(InstrumentError):
    """SCPI -4xx: a reply was lost, interrupted or unterminated."""


class InstrumentTimeout(TestbenchError):
    """An instrument did not answer a query in time (and had no error to say why)."""

    def __init__(self, instrument: str, command: str, timeout_s: float) -> None:
        self.instrument = instrument
        self.command = command
        super().__init__(f"{instrument}: no answer to {command!r} within {timeout_s:g} s")


class InstrumentConnectionError(TestbenchError):
    """The instrument could not be reached or the session broke."""


class InstrumentBusy(TestbenchError):
    """Another owner holds the instrument and did not release it in time."""

    def __init__(self, instrument: str, owner: str | None, wanted_by: str) -> None:
        self.instrument = instrument
        self.owner = owner
        super().__init__(f"{instrument} is held by {owner or 'someone'}; {wanted_by} gave up")


class PathCapability(IntEnum):
    """Whether a route can be made, NI Switch Executive's taxonomy (same numbers)."""

    PATH_AVAILABLE = 1
    PATH_EXISTS = 2
    PATH_UNSUPPORTED = 3
    RESOURCE_IN_USE = 4
    SOURCE_CONFLICT = 5
    CHANNEL_NOT_AVAILABLE = 6
    CHANNELS_HARDWIRED = 7
    EXCLUSION_CONFLICT = 8  # ours: NISE reports this as a source conflict; we say which rule


class RouteError(TestbenchError):
    """A route cannot be connected (or disconnected); says why in words and as a capability."""

    def __init__(self, route: str, capability: PathCapability, reason: str) -> None:
        self.route = route
        self.capability = capability
        self.reason = reason
        super().__init__(f"route {route!r}: {capability.name.lower()}: {reason}")


class StationConfigError(TestbenchError):
    """The station file is missing, malformed or inconsistent."""


class StationFault(TestbenchError):
    """A measurement showed the station itself is not working (no carrier, probe not seen)."""


class TestAborted(TestbenchError):
    """A test ended in ERROR: the station could not judge the card (it is neither passed nor
    failed; the caller retries it)."""

    def __init__(self, dut_id: str, reason: str) -> None:
        self.dut_id = dut_id
        self.reason = reason
        super().__init__(f"RF test of {dut_id} ended in error: {reason}")
