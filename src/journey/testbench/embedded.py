"""The station the embedded platform tests cards on: a real station file, or the simulated one.

`journey serve` and `journey demo` have no instruments on a laptop, so by default they run the
simulated instruments (real SCPI over loopback TCP, on their own thread) and drive them through
the same PyVISA drivers and test sequence a real station uses. Pointing `station_file` at a
station's TOML uses its instruments instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from journey.testbench.errors import TestAborted
from journey.testbench.integration import StationCardTester
from journey.testbench.runtime import Station, open_station
from journey.testbench.sequences.record import TestRecord
from journey.testbench.simulators.config import SimulationConfig, Timing
from journey.testbench.simulators.host import SimulatorHost
from journey.testbench.station import load_station


@dataclass(frozen=True, slots=True)
class EmbeddedStationOptions:
    """Which station: `station_file` (real instruments) or the simulator with these knobs."""

    station_file: Path | None = None
    seed: int = 1
    defect_rate: float = 0.03  # share of blank plastics with an RF defect (simulator only)
    fast: bool = True  # simulated instruments wait a hundredth of their real sweep times


class EmbeddedStation:
    """An opened station (and its simulators when simulated) that tests one card at a time."""

    def __init__(self, station: Station, host: SimulatorHost | None) -> None:
        self._station = station
        self._host = host
        self.tester = StationCardTester(station)

    @classmethod
    async def open(cls, options: EmbeddedStationOptions | None = None) -> EmbeddedStation:
        options = options or EmbeddedStationOptions()
        return await asyncio.to_thread(cls._open, options)

    @classmethod
    def _open(cls, options: EmbeddedStationOptions) -> EmbeddedStation:
        config = load_station(options.station_file)
        if options.station_file is not None:
            return cls(open_station(config), None)
        simulation = SimulationConfig(
            seed=options.seed, timing=Timing.fast() if options.fast else Timing()
        ).with_defect_rate(options.defect_rate)
        host = SimulatorHost(config, simulation).start_in_thread()
        try:
            return cls(open_station(host.station()), host)
        except BaseException:
            host.stop_thread()
            raise

    async def test_card(self, dut_id: str) -> TestRecord:
        return await self.tester.test_card(dut_id)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        try:
            self._station.close()
        finally:
            if self._host is not None:
                self._host.stop_thread()


class NoStation:
    """The tester of a process that runs no station (operator commands): a card sent to it is
    not judged; the test ends in error, so the event is retried where a station runs."""

    async def test_card(self, dut_id: str) -> TestRecord:
        raise TestAborted(dut_id, "no RF station in this process")
