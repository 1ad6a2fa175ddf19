"""Driver for a spectrum analyzer (Keysight X-Series / R&S FSx command set, short forms).

The station uses single sweeps (`INIT:CONT OFF`, then `INIT:IMM` and `*OPC?`) so a marker read
always belongs to a sweep taken after the settings it depends on.
"""

from __future__ import annotations

from collections.abc import Sequence

from journey.testbench.instruments.base import ScpiInstrument
from journey.testbench.instruments.formatting import boolean, number


class SpectrumAnalyzer(ScpiInstrument):
    kind = "sa"

    def configure(
        self, *, center_hz: float, span_hz: float, rbw_hz: float, points: int | None = None
    ) -> None:
        self.write(f"SENS:FREQ:CENT {number(center_hz)}")
        self.write(f"SENS:FREQ:SPAN {number(span_hz)}")
        self.write(f"SENS:BAND:RES {number(rbw_hz)}")
        if points is not None:
            self.write(f"SENS:SWE:POIN {number(points)}")

    def center(self) -> float:
        return self.query_float("SENS:FREQ:CENT?")

    def span(self) -> float:
        return self.query_float("SENS:FREQ:SPAN?")

    def rbw(self) -> float:
        return self.query_float("SENS:BAND:RES?")

    def set_continuous(self, enabled: bool) -> None:
        self.write(f"INIT:CONT {boolean(enabled)}")

    def sweep(self, timeout_s: float | None = None) -> None:
        """Take one sweep and wait for it to complete (`INIT:IMM;*OPC?`, then the error queue)."""
        self.query_complete("INIT:IMM", timeout_s=timeout_s)

    def peak_search(self, marker: int = 1) -> tuple[float, float]:
        """Put the marker on the highest point of the trace; (frequency Hz, level dBm)."""
        with self._atomic("CALC:MARK:MAX"):
            self.write(f"CALC:MARK{marker}:MAX")
            return self.marker_x(marker), self.marker_y(marker)

    def set_marker(self, marker: int, hz: float) -> None:
        self.write(f"CALC:MARK{marker}:X {number(hz)}")

    def marker_x(self, marker: int = 1) -> float:
        return self.query_float(f"CALC:MARK{marker}:X?")

    def marker_y(self, marker: int = 1) -> float:
        return self.query_float(f"CALC:MARK{marker}:Y?")

    def level_at(self, hz: float, marker: int = 1) -> float:
        """Level (dBm) of the last sweep at `hz`, read with a marker."""
        with self._atomic("CALC:MARK:Y?"):
            self.set_marker(marker, hz)
            return self.marker_y(marker)

    def marker_levels(self, markers: Sequence[int]) -> list[float]:
        """Levels (dBm) of several markers in one message: `CALC:MARK1:Y?;:CALC:MARK2:Y?`."""
        command = ";:".join(f"CALC:MARK{marker}:Y?" for marker in markers)
        reply = self.query(command)
        try:
            values = [float(part) for part in reply.split(";")]
        except ValueError:
            values = []
        if len(values) != len(markers):
            raise ValueError(f"{self.name}: {len(markers)} marker levels expected, got {reply!r}")
        return values

    def trace(self) -> list[float]:
        return self.query_floats("TRAC:DATA? TRACE1")
