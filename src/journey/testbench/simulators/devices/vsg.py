"""A simulated vector signal generator (MXG-style command tree) driving the bench's field."""

from __future__ import annotations

from journey.testbench.simulators.instrument import Call, SimulatedInstrument
from journey.testbench.simulators.physics.bench import Bench, GeneratorState
from journey.testbench.simulators.scpi.parameters import NumberSpec, format_number

FREQUENCY = NumberSpec(9e3, 6e9, unit="HZ", default=1e9)
POWER = NumberSpec(-130.0, 20.0, unit="DBM", default=-130.0)
DEPTH = NumberSpec(0.0, 100.0, unit="PCT", default=0.1)
RATE = NumberSpec(0.1, 10e6, unit="HZ", default=1e3)


class SimulatedGenerator(SimulatedInstrument):
    def __init__(self, bench: Bench, name: str = "vsg") -> None:
        super().__init__(name, "JOURNEY-SIM,VSG-SIM,SG00001,1.0")
        self.bench = bench
        self.setting("[:SOURce]:FREQuency[:CW]", self._frequency)
        self.query(
            "[:SOURce]:FREQuency[:CW]?", lambda c: format_number(self.bench.generator.frequency_hz)
        )
        self.setting("[:SOURce]:POWer[:LEVel][:IMMediate][:AMPLitude]", self._power)
        self.query(
            "[:SOURce]:POWer[:LEVel][:IMMediate][:AMPLitude]?",
            lambda c: format_number(self.bench.generator.power_dbm),
        )
        self.setting(":OUTPut[:STATe]", self._output)
        self.query(":OUTPut[:STATe]?", lambda c: _flag(self.bench.generator.output))
        self.setting(":OUTPut:MODulation[:STATe]", self._modulation)
        self.query(":OUTPut:MODulation[:STATe]?", lambda c: _flag(self.bench.generator.modulation))
        self.setting("[:SOURce]:AM#[:DEPTh]", self._am_depth)
        self.query(
            "[:SOURce]:AM#[:DEPTh]?", lambda c: format_number(self.bench.generator.am_depth_pct)
        )
        self.setting("[:SOURce]:AM#:STATe", self._am_state)
        self.query("[:SOURce]:AM#:STATe?", lambda c: _flag(self.bench.generator.am_state))
        self.setting("[:SOURce]:AM#:SOURce", self._am_source)
        self.query(
            "[:SOURce]:AM#:SOURce?", lambda c: "INT" if self.bench.generator.am_internal else "EXT"
        )
        self.setting("[:SOURce]:AM#:INTernal:FREQuency", self._am_rate)
        self.query(
            "[:SOURce]:AM#:INTernal:FREQuency?",
            lambda c: format_number(self.bench.generator.am_rate_hz),
        )

    def reset(self) -> None:
        self.bench.generator = GeneratorState()

    def _frequency(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.frequency_hz = call.number(0, FREQUENCY, "frequency")

    def _power(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.power_dbm = call.number(0, POWER, "power")

    def _output(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.output = call.boolean(0, "output")

    def _modulation(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.modulation = call.boolean(0, "modulation")

    def _am_depth(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.am_depth_pct = call.number(0, DEPTH, "AM depth")

    def _am_state(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.am_state = call.boolean(0, "AM state")

    def _am_source(self, call: Call) -> None:
        call.expect(1)
        choice = call.choice(0, ("INTernal", "EXTernal"), "AM source")
        self.bench.generator.am_internal = choice == "INT"

    def _am_rate(self, call: Call) -> None:
        call.expect(1)
        self.bench.generator.am_rate_hz = call.number(0, RATE, "AM rate")


def _flag(value: bool) -> str:
    return "1" if value else "0"
