"""Running a station's simulated instruments: one bench, one SCPI server per instrument.

`SimulatorHost` builds the physical bench the station file describes (its wiring and fixture
positions) and serves each instrument on its own TCP port, either in the foreground
(`journey testbench simulate`) or on a background thread (tests, `journey testbench run`,
the benchmark), where `call` runs a function on the simulator's loop to inject faults or read
the hidden truth after a run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import threading
from collections.abc import Callable
from typing import Self, TypeVar

from journey.testbench.simulators.config import SimulationConfig
from journey.testbench.simulators.devices.handler import SimulatedHandler
from journey.testbench.simulators.devices.sa import SimulatedAnalyzer
from journey.testbench.simulators.devices.switch import SimulatedSwitch
from journey.testbench.simulators.devices.vna import SimulatedNetworkAnalyzer
from journey.testbench.simulators.devices.vsg import SimulatedGenerator
from journey.testbench.simulators.instrument import SimulatedInstrument
from journey.testbench.simulators.physics.bench import Bench
from journey.testbench.simulators.physics.layout import (
    BenchLayout,
    Port,
    PortKind,
    PositionPhysics,
)
from journey.testbench.simulators.server import InstrumentServer
from journey.testbench.station import StationConfig

T = TypeVar("T")

_SOCKET = re.compile(r"^TCPIP\d*::([^:]+)::(\d+)::SOCKET$", re.IGNORECASE)
_DEVICES: dict[str, Callable[[Bench, str], SimulatedInstrument]] = {
    "switch": SimulatedSwitch,
    "vsg": SimulatedGenerator,
    "sa": SimulatedAnalyzer,
    "vna": SimulatedNetworkAnalyzer,
    "handler": SimulatedHandler,
}


def layout_for(config: StationConfig) -> BenchLayout:
    """The bench a station file describes: what each matrix column is cabled to."""
    wiring: dict[int, Port] = {}
    for name, endpoint in config.topology.endpoints.items():
        if not endpoint.channel.startswith("c"):
            raise ValueError(f"the simulator cables endpoints to columns; {name} is on a row")
        wired = config.wiring[name]
        wiring[int(endpoint.channel[1:])] = Port(PortKind(wired.kind), wired.position)
    positions = {
        number: PositionPhysics(field_factor=position.field_factor)
        for number, position in config.positions.items()
    }
    topology = config.topology
    return BenchLayout(topology.slot, topology.rows, topology.columns, wiring, positions)


def socket_endpoint(address: str) -> tuple[str, int]:
    """(host, port) of a `TCPIP0::host::port::SOCKET` resource string."""
    match = _SOCKET.match(address.strip())
    if match is None:
        raise ValueError(f"{address!r} is not a TCPIP SOCKET resource")
    return match.group(1), int(match.group(2))


class SimulatorHost:
    """The simulated instruments of one station, sharing one bench."""

    def __init__(
        self,
        config: StationConfig,
        simulation: SimulationConfig | None = None,
        *,
        use_station_ports: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.config = config
        self.simulation = simulation or SimulationConfig()
        self.bench = Bench(layout_for(config), self.simulation)
        self.servers: dict[str, InstrumentServer] = {}
        for name, instrument in config.instruments.items():
            bind_host, port = host, 0
            if use_station_ports:
                bind_host, port = socket_endpoint(instrument.address)
            device = _DEVICES[instrument.kind](self.bench, name)
            self.servers[name] = InstrumentServer(device, bind_host, port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def addresses(self) -> dict[str, str]:
        return {name: server.address for name, server in self.servers.items()}

    def station(self) -> StationConfig:
        """The station config pointing at these simulators (with their actual ports)."""
        return self.config.with_addresses(self.addresses)

    async def start(self) -> None:
        started: list[InstrumentServer] = []
        try:
            for server in self.servers.values():
                await server.start()
                started.append(server)
        except OSError:
            for server in started:
                await server.stop()
            raise

    async def stop(self) -> None:
        for server in self.servers.values():
            await server.stop()

    # -- on a background thread ------------------------------------------------------------------
    def start_in_thread(self) -> Self:
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:
                ready.set_exception(error)
                loop.close()
                return
            ready.set_result(None)
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="testbench-simulators", daemon=True)
        self._thread.start()
        ready.result(timeout=10)
        return self

    def stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = self._thread = None

    def call(self, work: Callable[[Bench], T]) -> T:
        """Run `work(bench)` on the simulator's loop (fault injection, truth after a run)."""
        loop = self._loop
        if loop is None:
            return work(self.bench)

        async def run() -> T:
            return work(self.bench)

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=10)

    def __enter__(self) -> Self:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.stop_thread()
