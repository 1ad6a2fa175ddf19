"""Driver for a vector signal generator (Keysight MXG / R&S SMx command set, short forms).

On the RF test station it drives the fixture antenna through a power amplifier: its level sets
the field strength at the card, and amplitude modulation stands in for the reader's commands.
"""

from __future__ import annotations

from journey.testbench.instruments.base import ScpiInstrument
from journey.testbench.instruments.formatting import boolean, number


class SignalGenerator(ScpiInstrument):
    kind = "vsg"

    def set_frequency(self, hz: float) -> None:
        self.write(f"SOUR:FREQ {number(hz)}")

    def frequency(self) -> float:
        return self.query_float("SOUR:FREQ?")

    def set_power(self, dbm: float) -> None:
        self.write(f"SOUR:POW {number(round(dbm, 3))}")

    def power(self) -> float:
        return self.query_float("SOUR:POW?")

    def set_output(self, enabled: bool) -> None:
        self.write(f"OUTP {boolean(enabled)}")

    def output(self) -> bool:
        return self.query_bool("OUTP?")

    def set_modulation(self, enabled: bool) -> None:
        """The modulation master switch (`OUTP:MOD`): without it no modulation is output."""
        self.write(f"OUTP:MOD {boolean(enabled)}")

    def configure_am(self, depth_pct: float, rate_hz: float) -> None:
        """Internal AM at `rate_hz`, `depth_pct` deep (10 % is ISO/IEC 14443 Type B signalling)."""
        self.write("SOUR:AM:SOUR INT")
        self.write(f"SOUR:AM:INT:FREQ {number(rate_hz)}")
        self.write(f"SOUR:AM:DEPT {number(depth_pct)}")

    def set_am(self, enabled: bool) -> None:
        self.write(f"SOUR:AM:STAT {boolean(enabled)}")

    def am_enabled(self) -> bool:
        return self.query_bool("SOUR:AM:STAT?")
