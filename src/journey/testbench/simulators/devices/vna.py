"""A simulated one-port vector network analyzer (ENA-style command tree).

A sweep measures S11 into whatever the VNA's net holds at the moment it starts. Markers and the
bandwidth search work on the *formatted* trace (after the optional impedance conversion), the way
the instrument's firmware does.
"""

from __future__ import annotations

import cmath
import math

from journey.testbench.simulators.instrument import Call, SimulatedInstrument
from journey.testbench.simulators.physics.bench import Z0, Bench
from journey.testbench.simulators.scpi.errors import ScpiError
from journey.testbench.simulators.scpi.parameters import NumberSpec, format_number

FREQUENCY = NumberSpec(9e3, 8.5e9, unit="HZ")
POINTS = NumberSpec(2, 1601, integer=True, default=201)
IFBW = NumberSpec(10.0, 500e3, unit="HZ", default=70e3)
POWER = NumberSpec(-55.0, 10.0, unit="DBM", default=0.0)
THRESHOLD = NumberSpec(-500.0, 500.0, unit="DB", default=-3.0)
FORMATS = ("MLOGarithmic", "PHASe", "REAL", "IMAGinary", "SMITh")
MARKERS = range(1, 11)


class SimulatedNetworkAnalyzer(SimulatedInstrument):
    def __init__(self, bench: Bench, name: str = "vna") -> None:
        super().__init__(name, "JOURNEY-SIM,VNA-SIM,NA00001,1.0")
        self.bench = bench
        self.reset()
        self.setting("[:SENSe#]:FREQuency:STARt", self._start)
        self.query("[:SENSe#]:FREQuency:STARt?", lambda c: format_number(self.start))
        self.setting("[:SENSe#]:FREQuency:STOP", self._stop)
        self.query("[:SENSe#]:FREQuency:STOP?", lambda c: format_number(self.stop))
        self.setting("[:SENSe#]:SWEep:POINts", self._points)
        self.query("[:SENSe#]:SWEep:POINts?", lambda c: str(self.points))
        self.setting("[:SENSe#]:BANDwidth[:RESolution]", self._ifbw)
        self.query("[:SENSe#]:BANDwidth[:RESolution]?", lambda c: format_number(self.ifbw))
        self.query("[:SENSe#]:FREQuency:DATA?", self._stimulus)
        self.setting(":SOURce#:POWer[:LEVel][:IMMediate][:AMPLitude]", self._power)
        self.query(
            ":SOURce#:POWer[:LEVel][:IMMediate][:AMPLitude]?",
            lambda c: format_number(self.power),
        )
        self.setting(":CALCulate#:PARameter#:DEFine", self._define)
        self.query(":CALCulate#:PARameter#:DEFine?", lambda c: self.parameter)
        self.setting(":CALCulate#:PARameter#:SELect", lambda c: c.expect(0))
        self.setting(":CALCulate#[:SELected]:FORMat", self._format)
        self.query(":CALCulate#[:SELected]:FORMat?", lambda c: self.format)
        self.setting(":CALCulate#[:SELected]:CONVersion[:STATe]", self._conversion)
        self.query(":CALCulate#[:SELected]:CONVersion[:STATe]?", lambda c: _flag(self.convert))
        self.setting(":CALCulate#[:SELected]:CONVersion:FUNCtion", self._conversion_function)
        self.setting(":FORMat[:DATA]", self._data_format)
        self.setting(":INITiate#:CONTinuous", self._continuous)
        self.setting(":INITiate#[:IMMediate]", self._initiate)
        self.add(":CALCulate#[:SELected]:DATA:SDATa?", self._sdata)
        self.add(":CALCulate#[:SELected]:DATA:FDATa?", self._fdata)
        self.setting(":CALCulate#[:SELected]:MARKer#[:STATe]", self._marker_state)
        self.setting(":CALCulate#[:SELected]:MARKer#:X", self._marker_x)
        self.add(":CALCulate#[:SELected]:MARKer#:X?", self._marker_x_query)
        self.add(":CALCulate#[:SELected]:MARKer#:Y?", self._marker_y_query)
        self.setting(":CALCulate#[:SELected]:MARKer#:FUNCtion:TYPE", self._search_type)
        self.add(":CALCulate#[:SELected]:MARKer#:FUNCtion:EXECute", self._search)
        self.setting(":CALCulate#[:SELected]:MARKer#:BWIDth[:STATe]", self._bandwidth_state)
        self.setting(":CALCulate#[:SELected]:MARKer#:BWIDth:THReshold", self._threshold)
        self.add(":CALCulate#[:SELected]:MARKer#:BWIDth:DATA?", self._bandwidth)

    def reset(self) -> None:
        self.start, self.stop, self.points = 300e3, 3e9, 201
        self.ifbw, self.power = 70e3, 0.0
        self.parameter, self.format = "S11", "MLOG"
        self.convert = False
        self.continuous = True
        self.data: list[complex] | None = None
        self.frequencies: list[float] = []
        self.markers: dict[int, int] = {}
        self.search_type: dict[int, str] = {}
        self.thresholds: dict[int, float] = {}

    # -- settings --------------------------------------------------------------------------------
    def _check_channel(self, call: Call) -> None:
        for node in ("SENS", "SOUR", "CALC", "INIT"):
            if call.suffixes.get(node, 1) != 1:
                raise ScpiError(-114, f"channel {call.suffixes[node]} does not exist")

    def _changed(self) -> None:
        self.data = None
        self.markers.clear()

    def _start(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.start = call.number(0, FREQUENCY, "start")
        self.stop = max(self.stop, self.start)
        self._changed()

    def _stop(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.stop = call.number(0, FREQUENCY, "stop")
        self.start = min(self.start, self.stop)
        self._changed()

    def _points(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.points = call.integer(0, POINTS, "points")
        self._changed()

    def _ifbw(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.ifbw = call.number(0, IFBW, "IF bandwidth")

    def _power(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.power = call.number(0, POWER, "power")

    def _define(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        parameter = call.choice(0, ("S11", "S21", "S12", "S22"), "parameter")
        if parameter != "S11":
            raise ScpiError(-221, "this analyzer is cabled for one-port (S11) use")
        self.parameter = parameter

    def _format(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.format = call.choice(0, FORMATS, "format")

    def _conversion(self, call: Call) -> None:
        call.expect(1)
        self.convert = call.boolean(0, "conversion")

    def _conversion_function(self, call: Call) -> None:
        call.expect(1)
        call.choice(0, ("ZREFlection",), "conversion function")

    def _data_format(self, call: Call) -> None:
        call.expect(1, 1)
        if call.choice(0, ("ASCii", "REAL", "REAL32"), "data format") != "ASC":
            raise ScpiError(-221, "binary block transfer is not available on this simulator")

    def _continuous(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(1)
        self.continuous = call.boolean(0, "continuous")

    def _initiate(self, call: Call) -> None:
        self._check_channel(call)
        call.expect(0)
        self._sweep()

    # -- the sweep -------------------------------------------------------------------------------
    def _stimulus_points(self) -> list[float]:
        if self.points == 1:
            return [self.start]
        step = (self.stop - self.start) / (self.points - 1)
        return [self.start + index * step for index in range(self.points)]

    def _sweep(self) -> None:
        now = self.now()
        self.start_operation(self.bench.config.timing.vna_sweep_s)  # computing happens during it
        self.frequencies = self._stimulus_points()
        self.data = self.bench.reflection(self.frequencies, now)

    async def _measured(self) -> list[complex]:
        await self.wait_pending()
        if self.data is None and self.continuous:
            self._sweep()
            await self.wait_pending()
        if self.data is None:
            raise ScpiError(-230, "no sweep since the last settings change")
        return self.data

    def _formatted(self, data: list[complex]) -> list[tuple[float, float]]:
        values = [_impedance(g) for g in data] if self.convert else data
        if self.format == "MLOG":
            return [(20 * math.log10(max(abs(v), 1e-15)), 0.0) for v in values]
        if self.format == "PHAS":
            return [(math.degrees(cmath.phase(v)), 0.0) for v in values]
        if self.format == "REAL":
            return [(v.real, 0.0) for v in values]
        if self.format == "IMAG":
            return [(v.imag, 0.0) for v in values]
        return [(v.real, v.imag) for v in values]

    def _stimulus(self, call: Call) -> str:
        self._check_channel(call)
        points = self.frequencies or self._stimulus_points()
        return ",".join(format_number(hz) for hz in points)

    async def _sdata(self, call: Call) -> str:
        self._check_channel(call)
        data = await self._measured()
        return ",".join(f"{g.real:+.6E},{g.imag:+.6E}" for g in data)

    async def _fdata(self, call: Call) -> str:
        self._check_channel(call)
        formatted = self._formatted(await self._measured())
        return ",".join(f"{a:+.6E},{b:+.6E}" for a, b in formatted)

    # -- markers ---------------------------------------------------------------------------------
    def _marker(self, call: Call) -> int:
        self._check_channel(call)
        marker = call.suffix("MARK")
        if marker not in MARKERS:
            raise ScpiError(-114, f"marker {marker}")
        return marker

    def _marker_state(self, call: Call) -> None:
        call.expect(1)
        marker = self._marker(call)
        if call.boolean(0, "marker state"):
            self.markers.setdefault(marker, self.points // 2)
        else:
            self.markers.pop(marker, None)

    def _marker_x(self, call: Call) -> None:
        call.expect(1)
        marker = self._marker(call)
        hz = call.number(0, FREQUENCY, "marker stimulus")
        if not self.start <= hz <= self.stop:
            raise ScpiError(-222, f"marker stimulus {hz:g} outside the sweep")
        step = (self.stop - self.start) / max(self.points - 1, 1)
        self.markers[marker] = round((hz - self.start) / step) if step else 0

    def _index(self, call: Call) -> int:
        marker = self._marker(call)
        if marker not in self.markers:
            raise ScpiError(-221, f"marker {marker} is off")
        return self.markers[marker]

    async def _marker_x_query(self, call: Call) -> str:
        index = self._index(call)
        await self._measured()
        return format_number(self.frequencies[index])

    async def _marker_y_query(self, call: Call) -> str:
        index = self._index(call)
        primary, secondary = self._formatted(await self._measured())[index]
        return f"{format_number(primary)},{format_number(secondary)}"

    def _search_type(self, call: Call) -> None:
        call.expect(1)
        marker = self._marker(call)
        self.search_type[marker] = call.choice(0, ("MAXimum", "MINimum"), "search type")

    async def _search(self, call: Call) -> None:
        call.expect(0)
        marker = self._marker(call)
        values = [primary for primary, _ in self._formatted(await self._measured())]
        pick = max if self.search_type.get(marker, "MAX") == "MAX" else min
        self.markers[marker] = pick(range(len(values)), key=values.__getitem__)

    def _bandwidth_state(self, call: Call) -> None:
        call.expect(1)
        self._marker(call)
        call.boolean(0, "bandwidth search")

    def _threshold(self, call: Call) -> None:
        call.expect(1)
        self.thresholds[self._marker(call)] = call.number(0, THRESHOLD, "threshold")

    async def _bandwidth(self, call: Call) -> str:
        """bandwidth, center, Q, loss around the marker where the trace crosses the threshold."""
        marker = self._marker(call)
        index = self._index(call)
        values = [primary for primary, _ in self._formatted(await self._measured())]
        target = values[index] + self.thresholds.get(marker, -3.0)
        below = target < values[index]
        left = _crossing(self.frequencies, values, index, -1, target, below)
        right = _crossing(self.frequencies, values, index, +1, target, below)
        if left is None or right is None:
            raise ScpiError(-200, "bandwidth search: threshold not crossed on both sides")
        bandwidth = right - left
        center = (left + right) / 2
        q = center / bandwidth if bandwidth > 0 else 0.0
        return ",".join(format_number(v) for v in (bandwidth, center, q, values[index]))


def _crossing(
    frequencies: list[float],
    values: list[float],
    start: int,
    direction: int,
    target: float,
    below: bool,
) -> float | None:
    index = start
    while 0 <= index + direction < len(values):
        nxt = index + direction
        crossed = values[nxt] <= target if below else values[nxt] >= target
        if crossed:
            a, b = values[index], values[nxt]
            fraction = 0.0 if a == b else (a - target) / (a - b)
            return frequencies[index] + fraction * (frequencies[nxt] - frequencies[index])
        index = nxt
    return None


def _impedance(gamma: complex) -> complex:
    """ZREF conversion; a perfect open shows as a very large impedance, not a division error."""
    if gamma == 1:
        return complex(1e12)
    return Z0 * (1 + gamma) / (1 - gamma)


def _flag(value: bool) -> str:
    return "1" if value else "0"
