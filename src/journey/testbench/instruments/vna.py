"""Driver for a vector network analyzer (Keysight ENA command set, short forms).

One-port use on the station: S11 through a probe loop coupled to the card, a single sweep, then
either the complex trace (`CALC1:SEL:DATA:SDAT?`, re/im pairs) for our own analysis or the
analyzer's marker bandwidth search (`CALC1:MARK1:BWID:DATA?` → bandwidth, center, Q, loss).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from journey.testbench.instruments.base import ScpiInstrument
from journey.testbench.instruments.formatting import boolean, number

Format = Literal["MLOG", "PHAS", "REAL", "IMAG", "SMIT"]


@dataclass(frozen=True, slots=True)
class BandwidthSearch:
    """A marker bandwidth search result, as the analyzer reports it."""

    bandwidth_hz: float
    center_hz: float
    q: float
    loss: float


class NetworkAnalyzer(ScpiInstrument):
    kind = "vna"

    def configure_sweep(
        self,
        *,
        start_hz: float,
        stop_hz: float,
        points: int,
        ifbw_hz: float | None = None,
        power_dbm: float | None = None,
        channel: int = 1,
    ) -> None:
        self.write(f"SENS{channel}:FREQ:STAR {number(start_hz)}")
        self.write(f"SENS{channel}:FREQ:STOP {number(stop_hz)}")
        self.write(f"SENS{channel}:SWE:POIN {number(points)}")
        if ifbw_hz is not None:
            self.write(f"SENS{channel}:BAND {number(ifbw_hz)}")
        if power_dbm is not None:
            self.write(f"SOUR{channel}:POW {number(power_dbm)}")

    def define_measurement(self, parameter: str = "S11", channel: int = 1) -> None:
        self.write(f"CALC{channel}:PAR1:DEF {parameter}")
        self.write(f"CALC{channel}:PAR1:SEL")

    def set_format(self, fmt: Format, channel: int = 1) -> None:
        self.write(f"CALC{channel}:SEL:FORM {fmt}")

    def set_impedance_conversion(self, enabled: bool, channel: int = 1) -> None:
        """Show the reflection as impedance (`ZREF`): Re(Z) peaks at the card's resonance."""
        if enabled:
            self.write(f"CALC{channel}:SEL:CONV:FUNC ZREF")
        self.write(f"CALC{channel}:SEL:CONV {boolean(enabled)}")

    def set_continuous(self, enabled: bool, channel: int = 1) -> None:
        self.write(f"INIT{channel}:CONT {boolean(enabled)}")

    def single_sweep(self, timeout_s: float | None = None, channel: int = 1) -> None:
        """One sweep, waited for (`INIT1:IMM;*OPC?`, then the error queue)."""
        self.query_complete(f"INIT{channel}:IMM", timeout_s=timeout_s)

    def frequencies(self, channel: int = 1) -> list[float]:
        return self.query_floats(f"SENS{channel}:FREQ:DATA?")

    def complex_trace(self, channel: int = 1) -> list[complex]:
        values = self.query_floats(f"CALC{channel}:SEL:DATA:SDAT?")
        if len(values) % 2:
            raise ValueError(f"{self.name}: odd number of values in a complex trace")
        return [complex(values[i], values[i + 1]) for i in range(0, len(values), 2)]

    def formatted_trace(self, channel: int = 1) -> list[float]:
        """The formatted trace's primary values (ENA sends two values per point)."""
        values = self.query_floats(f"CALC{channel}:SEL:DATA:FDAT?")
        return values[0::2]

    def marker_search(
        self, kind: Literal["MAX", "MIN"], marker: int = 1, channel: int = 1
    ) -> tuple[float, float]:
        """Move a marker to the trace's maximum or minimum; (stimulus Hz, value)."""
        with self._atomic("CALC:MARK:FUNC:EXEC"):
            self.write(f"CALC{channel}:SEL:MARK{marker} ON")
            self.write(f"CALC{channel}:SEL:MARK{marker}:FUNC:TYPE {kind}")
            self.write(f"CALC{channel}:SEL:MARK{marker}:FUNC:EXEC")
            x = self.query_float(f"CALC{channel}:SEL:MARK{marker}:X?")
            y = self.query_floats(f"CALC{channel}:SEL:MARK{marker}:Y?")
            return x, y[0]

    def marker_value(self, hz: float, marker: int = 1, channel: int = 1) -> float:
        with self._atomic("CALC:MARK:Y?"):
            self.write(f"CALC{channel}:SEL:MARK{marker} ON")
            self.write(f"CALC{channel}:SEL:MARK{marker}:X {number(hz)}")
            return self.query_floats(f"CALC{channel}:SEL:MARK{marker}:Y?")[0]

    def bandwidth_search(
        self, threshold: float, marker: int = 1, channel: int = 1
    ) -> BandwidthSearch:
        """Bandwidth around the marker where the trace crosses `marker value + threshold`."""
        with self._atomic("CALC:MARK:BWID:DATA?"):
            self.write(f"CALC{channel}:SEL:MARK{marker}:BWID ON")
            self.write(f"CALC{channel}:SEL:MARK{marker}:BWID:THR {number(threshold)}")
            values = self.query_floats(f"CALC{channel}:SEL:MARK{marker}:BWID:DATA?")
        if len(values) != 4:
            raise ValueError(f"{self.name}: bandwidth search returned {values}")
        return BandwidthSearch(*values)
