"""A simulated 34980A-style switch mainframe with one matrix module."""

from __future__ import annotations

from journey.testbench.simulators.instrument import Call, SimulatedInstrument
from journey.testbench.simulators.physics.bench import Bench
from journey.testbench.simulators.scpi.errors import ScpiError
from journey.testbench.simulators.scpi.parameters import NumberSpec

SLOT = NumberSpec(1, 8, integer=True)
MAX_QUERY_CHANNELS = 128


class SimulatedSwitch(SimulatedInstrument):
    def __init__(self, bench: Bench, name: str = "switch") -> None:
        super().__init__(name, "JOURNEY-SIM,34980A-SIM,SW00001,1.0")
        self.bench = bench
        self.setting(":ROUTe:CLOSe", self._close)
        self.query(":ROUTe:CLOSe?", self._closed)
        self.setting(":ROUTe:OPEN", self._open)
        self.query(":ROUTe:OPEN?", self._opened)
        self.setting(":ROUTe:OPEN:ALL", self._open_all)
        self.query(":SYSTem:CTYPe?", self._card_type)
        self.query(":DIAGnostic:RELay:CYCLes?", self._cycles)

    def reset(self) -> None:
        self.bench.open_all()

    def _close(self, call: Call) -> None:
        call.expect(1)
        settle = self.bench.config.timing.relay_settle_s
        try:
            self.bench.close_relays(call.channels(0), self.now(), settle)
        finally:
            self.start_operation(settle)  # even a partial close leaves relays settling

    def _open(self, call: Call) -> None:
        call.expect(1)
        channels = call.channels(0)
        self.bench.validate_channels(channels)
        self.bench.open_relays(channels)
        self.start_operation(self.bench.config.timing.relay_settle_s)

    def _open_all(self, call: Call) -> None:
        call.expect(0, 1)
        if call.params:
            slot = call.integer(0, SLOT, "slot")
            if slot != self.bench.layout.slot:
                return  # an empty slot has nothing to open
        self.bench.open_all()
        self.start_operation(self.bench.config.timing.relay_settle_s)

    def _states(self, call: Call) -> list[int]:
        call.expect(1)
        channels = call.channels(0)
        if len(channels) > MAX_QUERY_CHANNELS:
            raise ScpiError(-223, f"at most {MAX_QUERY_CHANNELS} channels per query")
        self.bench.validate_channels(channels)
        return channels

    def _closed(self, call: Call) -> str:
        return ",".join("1" if ch in self.bench.closed else "0" for ch in self._states(call))

    def _opened(self, call: Call) -> str:
        return ",".join("0" if ch in self.bench.closed else "1" for ch in self._states(call))

    def _card_type(self, call: Call) -> str:
        call.expect(1)
        slot = call.integer(0, SLOT, "slot")
        if slot == self.bench.layout.slot:
            layout = self.bench.layout
            return f"JOURNEY-SIM,MATRIX-{layout.rows}X{layout.columns},0,1.0"
        return "JOURNEY-SIM,0,0,0"

    def _cycles(self, call: Call) -> str:
        return ",".join(str(self.bench.cycles[ch]) for ch in self._states(call))
