"""A simulated card handler: one pick-and-place motion per fixture position at a time."""

from __future__ import annotations

from journey.testbench.simulators.instrument import Call, SimulatedInstrument
from journey.testbench.simulators.physics.bench import Bench
from journey.testbench.simulators.scpi.parameters import NumberSpec

BINS = ("PASS", "FAIL", "ERRor")


class SimulatedHandler(SimulatedInstrument):
    def __init__(self, bench: Bench, name: str = "handler") -> None:
        super().__init__(name, "JOURNEY-SIM,HANDLER-SIM,HD00001,1.0")
        self.bench = bench
        self._position = NumberSpec(1, max(bench.lanes), integer=True)
        self.setting(":HANDler:LOAD", self._load)
        self.setting(":HANDler:UNLoad", self._unload)
        self.setting(":HANDler:EXCHange", self._exchange)
        self.query(":HANDler:STATe?", self._state)
        self.query(":HANDler:DUT?", self._dut)
        self.query(":HANDler:POSitions?", lambda c: str(len(self.bench.lanes)))
        self.query(":HANDler:BIN:COUNt?", self._bin_count)

    def _seconds(self) -> float:
        return self.bench.config.timing.handler_s

    def _load(self, call: Call) -> None:
        call.expect(2)
        position = call.integer(0, self._position, "position")
        dut = call.string(1, "card id")
        self.bench.start_load(position, dut, self.now(), self._seconds())

    def _unload(self, call: Call) -> None:
        call.expect(2)
        position = call.integer(0, self._position, "position")
        to_bin = _bin(call.choice(1, BINS, "bin"))
        self.bench.start_unload(position, to_bin, self.now(), self._seconds())

    def _exchange(self, call: Call) -> None:
        call.expect(3)
        position = call.integer(0, self._position, "position")
        to_bin = _bin(call.choice(1, BINS, "bin"))
        dut = call.string(2, "card id")
        self.bench.start_exchange(position, to_bin, dut, self.now(), self._seconds())

    def _state(self, call: Call) -> str:
        call.expect(1)
        return self.bench.lane(call.integer(0, self._position, "position"), self.now()).state

    def _dut(self, call: Call) -> str:
        call.expect(1)
        lane = self.bench.lane(call.integer(0, self._position, "position"), self.now())
        return f'"{lane.dut or ""}"'

    def _bin_count(self, call: Call) -> str:
        call.expect(1)
        return str(len(self.bench.bins[_bin(call.choice(0, BINS, "bin"))]))


def _bin(short: str) -> str:
    return "ERR" if short == "ERR" else short
