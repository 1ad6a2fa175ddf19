"""Driver for the card handler: the pick-and-place that puts cards into fixture positions.

Real handlers speak many dialects (SCPI over LAN, GPIB, digital I/O); ours is SCPI. Each fixture
position moves on its own, so a motion is started and then *polled* per position (`HAND:STAT?`)
rather than waited for with `*OPC?`, which would wait for every position's motion.
"""

from __future__ import annotations

from enum import StrEnum

from journey.testbench.instruments.base import ScpiInstrument, poll
from journey.testbench.instruments.formatting import quoted, unquote


class Bin(StrEnum):
    """Where an unloaded card goes."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERR"


class PositionState(StrEnum):
    EMPTY = "EMPT"
    BUSY = "BUSY"
    OCCUPIED = "OCC"


class CardHandler(ScpiInstrument):
    kind = "handler"

    def positions(self) -> int:
        return self.query_int("HAND:POS?")

    def load(self, position: int, dut_id: str) -> None:
        """Start placing card `dut_id` into an empty position."""
        self.write(f"HAND:LOAD {position},{quoted(dut_id)}")

    def unload(self, position: int, to: Bin) -> None:
        """Start removing the card in `position` to a bin."""
        self.write(f"HAND:UNL {position},{to.value}")

    def exchange(self, position: int, to: Bin, dut_id: str) -> None:
        """One motion: the tested card to its bin, the next card into the position."""
        self.write(f"HAND:EXCH {position},{to.value},{quoted(dut_id)}")

    def state(self, position: int) -> PositionState:
        reply = self.query(f"HAND:STAT? {position}").strip().upper()
        try:
            return PositionState(reply)
        except ValueError:
            raise ValueError(f"{self.name}: unknown position state {reply!r}") from None

    def dut(self, position: int) -> str | None:
        name = unquote(self.query(f"HAND:DUT? {position}"))
        return name or None

    def bin_count(self, to: Bin) -> int:
        return self.query_int(f"HAND:BIN:COUN? {to.value}")

    def wait_idle(self, position: int, *, timeout_s: float, interval_s: float = 0.01) -> None:
        """Poll until the position's motion is over (the lock is free between polls)."""
        poll(
            lambda: self.state(position) is not PositionState.BUSY,
            timeout_s=timeout_s,
            interval_s=interval_s,
            what=f"{self.name} position {position}",
        )
