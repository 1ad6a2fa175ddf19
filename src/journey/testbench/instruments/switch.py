"""Driver for a Keysight 34980A-style switch mainframe with matrix modules.

Crosspoints are addressed `srcc` (slot, row, two-digit column: slot 1, row 2, column 5 is
`1205`), as on the 34931A-34933A matrix modules. Channel lists are sent without spaces. The
`ROUT:CLOS?` readback is the instrument's *software* state: it does not see a welded or
burnt relay, which is why measurements also check they see what they expect.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from journey.testbench.instruments.base import ScpiInstrument
from journey.testbench.instruments.formatting import channel_list, parse_floats

QUERY_CHUNK = 100  # ROUT:CLOS? answers at most ~127 channels per query on real mainframes


def crosspoint(slot: int, row: int, column: int) -> int:
    """The channel number of a matrix crosspoint in `srcc` form."""
    if not (1 <= slot <= 8 and 1 <= row <= 9 and 1 <= column <= 99):
        raise ValueError(f"no crosspoint at slot {slot}, row {row}, column {column}")
    return slot * 1000 + row * 100 + column


class SwitchMatrix(ScpiInstrument):
    """Close, open and read back relays; routes are `journey.testbench.switching`'s job."""

    kind = "switch"

    def close_channels(self, channels: Sequence[int]) -> None:
        """Close the listed relays in one command (their closing order is not guaranteed)."""
        self.write(f"ROUT:CLOS {channel_list(channels)}")

    def open_channels(self, channels: Sequence[int]) -> None:
        self.write(f"ROUT:OPEN {channel_list(channels)}")

    def open_all(self, slot: int | None = None) -> None:
        self.write("ROUT:OPEN:ALL" if slot is None else f"ROUT:OPEN:ALL {slot}")

    def closed_states(self, channels: Sequence[int]) -> list[bool]:
        """Readback of each listed relay, in order (True = closed)."""
        states: list[bool] = []
        for start in range(0, len(channels), QUERY_CHUNK):
            chunk = channels[start : start + QUERY_CHUNK]
            values = parse_floats(self.query(f"ROUT:CLOS? {channel_list(chunk)}"))
            if len(values) != len(chunk):
                raise ValueError(f"{self.name}: {len(values)} states for {len(chunk)} channels")
            states.extend(value == 1 for value in values)
        return states

    def closed_among(self, channels: Iterable[int]) -> set[int]:
        listed = list(channels)
        return {
            channel
            for channel, closed in zip(listed, self.closed_states(listed), strict=True)
            if closed
        }

    def card_type(self, slot: int) -> str:
        """`SYST:CTYP?`: the module in a slot (model `0` means the slot is empty)."""
        return self.query(f"SYST:CTYP? {slot}")

    def relay_cycles(self, channels: Sequence[int]) -> list[int]:
        """How many times each relay has closed (for maintenance: relays wear out)."""
        return [
            int(value)
            for value in parse_floats(self.query(f"DIAG:REL:CYCL? {channel_list(channels)}"))
        ]
