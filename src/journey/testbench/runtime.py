"""A station at run time: its instruments opened, its routes managed, its settings applied.

`Station.open` connects every instrument named in the station file (VISA sessions over LAN), reads
their identities and builds the route manager over the switch. `prepare` puts the instruments in
the state the card test expects (single sweeps, fixed spans, generator off, relays open) and
checks the relay readback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Self, cast

from journey.testbench.errors import StationFault, TestbenchError
from journey.testbench.instruments import DRIVERS
from journey.testbench.instruments.base import ScpiInstrument, TransportFactory
from journey.testbench.instruments.handler import Bin, CardHandler, PositionState
from journey.testbench.instruments.sa import SpectrumAnalyzer
from journey.testbench.instruments.switch import SwitchMatrix
from journey.testbench.instruments.vna import NetworkAnalyzer
from journey.testbench.instruments.vsg import SignalGenerator
from journey.testbench.sequences.record import TestRecord
from journey.testbench.station import StationConfig
from journey.testbench.switching.manager import RouteManager

TransportFactories = Mapping[str, TransportFactory]


class Station:
    def __init__(self, config: StationConfig, instruments: dict[str, ScpiInstrument]) -> None:
        self.config = config
        self.instruments = instruments
        self.identities: dict[str, str] = {}
        self.routes = RouteManager(config.topology, self.switch)
        self.vna_frequencies: list[float] = []

    @classmethod
    def open(cls, config: StationConfig, *, transports: TransportFactories | None = None) -> Self:
        """Connect to every instrument (closing those already opened if one fails)."""
        instruments: dict[str, ScpiInstrument] = {}
        try:
            for name, entry in config.instruments.items():
                driver = DRIVERS[entry.kind](
                    name,
                    entry.address,
                    visa_library=config.visa_library,
                    timeout_s=entry.timeout_s,
                    transport_factory=(transports or {}).get(name),
                )
                instruments[name] = driver.open()
            station = cls(config, instruments)
            station.identities = {
                name: str(driver.identify()) for name, driver in instruments.items()
            }
        except BaseException:
            for driver in instruments.values():
                with contextlib.suppress(TestbenchError):
                    driver.close()
            raise
        return station

    def close(self) -> None:
        for driver in self.instruments.values():
            with contextlib.suppress(TestbenchError):
                driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- typed access ----------------------------------------------------------------------------
    def _kind(self, kind: str) -> ScpiInstrument:
        return self.instruments[self.config.instrument(kind).name]

    @property
    def switch(self) -> SwitchMatrix:
        return cast(SwitchMatrix, self.instruments[self.config.switch_instrument])

    @property
    def vsg(self) -> SignalGenerator:
        return cast(SignalGenerator, self._kind("vsg"))

    @property
    def sa(self) -> SpectrumAnalyzer:
        return cast(SpectrumAnalyzer, self._kind("sa"))

    @property
    def vna(self) -> NetworkAnalyzer:
        return cast(NetworkAnalyzer, self._kind("vna"))

    @property
    def handler(self) -> CardHandler:
        return cast(CardHandler, self._kind("handler"))

    def instrument_name(self, kind: str) -> str:
        return self.config.instrument(kind).name

    def keep_record(self, record: TestRecord) -> None:
        """Write the record as JSON when the station file names a `records_dir`."""
        if self.config.records_dir is not None:
            record.write(self.config.records_dir)

    # -- preparing for cards ---------------------------------------------------------------------
    def prepare(self, *, clear_fixture: bool = True) -> None:
        """Reset and configure the instruments for the card test; relays open, RF off."""
        config = self.config
        for driver in self.instruments.values():
            driver.reset()
        self.routes.disconnect_all()
        self.switch.open_all()
        self.switch.wait_complete()
        unexpected, _ = self.routes.verify()
        if unexpected:
            raise StationFault(f"relays {sorted(unexpected)} read back closed after opening all")
        vsg, sa, vna = self.vsg, self.sa, self.vna
        vsg.set_output(False)
        vsg.set_frequency(config.field.carrier_hz)
        vsg.set_power(-30.0)
        vsg.configure_am(config.field.am_depth_pct, config.field.am_rate_hz)
        vsg.set_am(True)
        vsg.set_modulation(True)
        sa.set_continuous(False)
        sa.configure(
            center_hz=config.field.carrier_hz,
            span_hz=config.field.span_hz,
            rbw_hz=config.field.rbw_hz,
            points=config.field.points,
        )
        resonance = config.resonance
        vna.set_continuous(False)
        vna.configure_sweep(
            start_hz=resonance.start_hz,
            stop_hz=resonance.stop_hz,
            points=resonance.points,
            ifbw_hz=resonance.ifbw_hz,
            power_dbm=resonance.power_dbm,
        )
        vna.define_measurement("S11")
        vna.set_format("SMIT")
        self.vna_frequencies = vna.frequencies()
        if len(self.vna_frequencies) != resonance.points:
            raise StationFault(
                f"the VNA reports {len(self.vna_frequencies)} points, not {resonance.points}"
            )
        if clear_fixture:
            self.clear_fixture()

    def clear_fixture(self) -> None:
        """Send any card left in a position (an aborted run) to the error bin."""
        handler = self.handler
        settings = self.config.handler
        for number in self.config.positions:
            handler.wait_idle(number, timeout_s=settings.timeout_s, interval_s=settings.poll_s)
            if handler.state(number) is PositionState.OCCUPIED:
                handler.unload(number, Bin.ERROR)
                handler.wait_idle(number, timeout_s=settings.timeout_s, interval_s=settings.poll_s)


def open_station(
    config: StationConfig,
    *,
    prepare: bool = True,
    transports: TransportFactories | None = None,
) -> Station:
    """Open and (by default) prepare a station; closes it again if preparing fails."""
    station = Station.open(config, transports=transports)
    try:
        if prepare:
            station.prepare()
    except BaseException:
        station.close()
        raise
    return station
