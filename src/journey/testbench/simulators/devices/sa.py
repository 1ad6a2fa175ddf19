"""A simulated spectrum analyzer: a swept trace through a Gaussian RBW filter over a noise floor.

The trace is computed from the tones at its input when a sweep starts (`INIT:IMM`), so markers
only ever see what was physically there, through the routes that conducted at that moment.
"""

from __future__ import annotations

import math

from journey.testbench.simulators.instrument import Call, SimulatedInstrument
from journey.testbench.simulators.physics.bench import Bench
from journey.testbench.simulators.scpi.errors import ScpiError
from journey.testbench.simulators.scpi.parameters import NumberSpec, format_number

FREQUENCY = NumberSpec(0.0, 26.5e9, unit="HZ")
SPAN = NumberSpec(10.0, 26.5e9, unit="HZ")
RBW = NumberSpec(1.0, 8e6, unit="HZ", default=1e6)
POINTS = NumberSpec(101, 40001, integer=True, default=1001)
LEVEL = NumberSpec(-170.0, 30.0, unit="DBM", default=0.0)
ATTENUATION = NumberSpec(0.0, 70.0, unit="DB", default=10.0)
MARKERS = range(1, 13)
_LN2X4 = 4 * math.log(2)


class SimulatedAnalyzer(SimulatedInstrument):
    def __init__(self, bench: Bench, name: str = "sa") -> None:
        super().__init__(name, "JOURNEY-SIM,SA-SIM,SA00001,1.0")
        self.bench = bench
        self.reset()
        self.setting("[:SENSe]:FREQuency:CENTer", self._center)
        self.query("[:SENSe]:FREQuency:CENTer?", lambda c: format_number(self.center))
        self.setting("[:SENSe]:FREQuency:SPAN", self._span)
        self.query("[:SENSe]:FREQuency:SPAN?", lambda c: format_number(self.span))
        self.setting("[:SENSe]:FREQuency:STARt", self._start)
        self.query("[:SENSe]:FREQuency:STARt?", lambda c: format_number(self._first()))
        self.setting("[:SENSe]:FREQuency:STOP", self._stop)
        self.query("[:SENSe]:FREQuency:STOP?", lambda c: format_number(self.center + self.span / 2))
        self.setting("[:SENSe]:BANDwidth[:RESolution]", self._rbw)
        self.query("[:SENSe]:BANDwidth[:RESolution]?", lambda c: format_number(self.rbw))
        self.setting("[:SENSe]:BANDwidth[:RESolution]:AUTO", self._rbw_auto)
        self.setting("[:SENSe]:BANDwidth:VIDeo", self._vbw)
        self.setting("[:SENSe]:SWEep:POINts", self._points)
        self.query("[:SENSe]:SWEep:POINts?", lambda c: str(self.points))
        self.query(
            "[:SENSe]:SWEep:TIME?", lambda c: format_number(self.bench.config.timing.sa_sweep_s)
        )
        self.setting(":DISPlay:WINDow#:TRACe:Y[:SCALe]:RLEVel", self._ref_level)
        self.setting(":INPut:ATTenuation", self._attenuation)
        self.setting(":INITiate:CONTinuous", self._continuous)
        self.query(":INITiate:CONTinuous?", lambda c: "1" if self.continuous else "0")
        self.setting(":INITiate[:IMMediate]", self._initiate)
        self.setting(":CALCulate:MARKer#[:STATe]", self._marker_state)
        self.add(":CALCulate:MARKer#:MAXimum[:PEAK]", self._peak)
        self.setting(":CALCulate:MARKer#:X", self._marker_x)
        self.add(":CALCulate:MARKer#:X?", self._marker_x_query)
        self.add(":CALCulate:MARKer#:Y?", self._marker_y_query)
        self.add(":TRACe[:DATA]?", self._trace_query)

    def reset(self) -> None:
        self.center = 1.5e9
        self.span = 3e9
        self.rbw = 1e6
        self.points = 1001
        self.continuous = True
        self.trace: list[float] | None = None
        self.trace_start = 0.0
        self.trace_step = 1.0
        self.markers: dict[int, int] = {}  # marker -> trace index

    # -- settings --------------------------------------------------------------------------------
    def _changed(self) -> None:
        self.trace = None  # settings changed: the old trace no longer matches them
        self.markers.clear()

    def _center(self, call: Call) -> None:
        call.expect(1)
        self.center = call.number(0, FREQUENCY, "center")
        self._changed()

    def _span(self, call: Call) -> None:
        call.expect(1)
        self.span = call.number(0, SPAN, "span")
        self._changed()

    def _first(self) -> float:
        return self.center - self.span / 2

    def _start(self, call: Call) -> None:
        call.expect(1)
        start, stop = call.number(0, FREQUENCY, "start"), self.center + self.span / 2
        if start >= stop:
            raise ScpiError(-221, "start must be below stop")
        self.center, self.span = (start + stop) / 2, stop - start
        self._changed()

    def _stop(self, call: Call) -> None:
        call.expect(1)
        start, stop = self._first(), call.number(0, FREQUENCY, "stop")
        if start >= stop:
            raise ScpiError(-221, "stop must be above start")
        self.center, self.span = (start + stop) / 2, stop - start
        self._changed()

    def _rbw(self, call: Call) -> None:
        call.expect(1)
        self.rbw = call.number(0, RBW, "resolution bandwidth")
        self._changed()

    def _rbw_auto(self, call: Call) -> None:
        call.expect(1)
        if call.boolean(0, "RBW auto"):
            self.rbw = max(1.0, min(8e6, self.span / 100))
            self._changed()

    def _vbw(self, call: Call) -> None:
        call.expect(1)
        call.number(0, RBW, "video bandwidth")

    def _points(self, call: Call) -> None:
        call.expect(1)
        self.points = call.integer(0, POINTS, "sweep points")
        self._changed()

    def _ref_level(self, call: Call) -> None:
        call.expect(1)
        call.number(0, LEVEL, "reference level")

    def _attenuation(self, call: Call) -> None:
        call.expect(1)
        call.number(0, ATTENUATION, "attenuation")

    def _continuous(self, call: Call) -> None:
        call.expect(1)
        self.continuous = call.boolean(0, "continuous sweep")

    def _initiate(self, call: Call) -> None:
        call.expect(0)
        self._sweep()

    # -- the sweep -------------------------------------------------------------------------------
    def _sweep(self) -> None:
        bench = self.bench
        now = self.now()
        self.start_operation(bench.config.timing.sa_sweep_s)  # computing happens during it
        tones = bench.spectrum_tones(now)
        start, step = self._first(), self.span / (self.points - 1)
        noise_mw = 10 ** ((bench.config.sa_danl_dbm_per_hz + 10 * math.log10(self.rbw)) / 10)
        k = _LN2X4 / self.rbw**2
        reach = 6 * self.rbw
        tones_mw = [(hz, 10 ** (level / 10)) for hz, level in tones]
        uniform = bench.noise.random
        trace = []
        for index in range(self.points):
            hz = start + index * step
            # Noise power: the mean of two exponential draws (a little video averaging).
            power = -0.5 * noise_mw * math.log((1.0 - uniform()) * (1.0 - uniform()))
            for tone_hz, tone_mw in tones_mw:
                offset = hz - tone_hz
                if -reach < offset < reach:
                    power += tone_mw * math.exp(-k * offset * offset)
            trace.append(10 * math.log10(power))
        self.trace, self.trace_start, self.trace_step = trace, start, step

    async def _current_trace(self) -> list[float]:
        await self.wait_pending()
        if self.trace is None and self.continuous:
            self._sweep()
            await self.wait_pending()
        if self.trace is None:
            raise ScpiError(-230, "no sweep since the last settings change")
        return self.trace

    # -- markers ---------------------------------------------------------------------------------
    def _marker(self, call: Call) -> int:
        marker = call.suffix("MARK")
        if marker not in MARKERS:
            raise ScpiError(-114, f"marker {marker}")
        return marker

    def _marker_state(self, call: Call) -> None:
        call.expect(1)
        marker = self._marker(call)
        if call.boolean(0, "marker state"):
            self.markers.setdefault(marker, (self.points - 1) // 2)
        else:
            self.markers.pop(marker, None)

    async def _peak(self, call: Call) -> None:
        call.expect(0)
        marker = self._marker(call)
        trace = await self._current_trace()
        self.markers[marker] = max(range(len(trace)), key=trace.__getitem__)

    def _marker_x(self, call: Call) -> None:
        call.expect(1)
        marker = self._marker(call)
        hz = call.number(0, FREQUENCY, "marker frequency")
        index = round((hz - self._first()) / (self.span / (self.points - 1)))
        if not 0 <= index < self.points:
            raise ScpiError(-222, f"marker frequency {hz:g} outside the span")
        self.markers[marker] = index

    async def _marker_x_query(self, call: Call) -> str:
        call.expect(0)
        index = self._marker_index(call)
        return format_number(self._first() + index * self.span / (self.points - 1))

    async def _marker_y_query(self, call: Call) -> str:
        call.expect(0)
        index = self._marker_index(call)
        trace = await self._current_trace()
        return format_number(trace[index])

    def _marker_index(self, call: Call) -> int:
        marker = self._marker(call)
        if marker not in self.markers:
            raise ScpiError(-221, f"marker {marker} is off")
        return self.markers[marker]

    async def _trace_query(self, call: Call) -> str:
        call.expect(0, 1)
        if call.params:
            call.choice(0, ("TRACE1", "TRACE2", "TRACE3"), "trace")
        trace = await self._current_trace()
        return ",".join(f"{value:.3f}" for value in trace)
