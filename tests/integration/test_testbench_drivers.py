"""Drivers speak correct SCPI to the simulated instruments over real TCP sockets (PyVISA, @py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from journey.testbench.errors import CommandError, ExecutionError, InstrumentBusy
from journey.testbench.instruments import (
    Bin,
    CardHandler,
    NetworkAnalyzer,
    PositionState,
    SignalGenerator,
    SpectrumAnalyzer,
    SwitchMatrix,
)
from journey.testbench.instruments.base import ScpiInstrument
from journey.testbench.simulators.config import SimulationConfig, Timing
from journey.testbench.simulators.host import SimulatorHost
from journey.testbench.simulators.physics.cards import CardTruth, Defect
from journey.testbench.station import StationConfig, load_station


@pytest.fixture
def host() -> Iterator[SimulatorHost]:
    with SimulatorHost(load_station(), SimulationConfig(seed=2, timing=Timing.fast())) as running:
        yield running


@pytest.fixture
def station(host: SimulatorHost) -> StationConfig:
    return host.station()


def connect(cls: type[ScpiInstrument], station: StationConfig, kind: str) -> ScpiInstrument:
    entry = station.instrument(kind)
    return cls(entry.name, entry.address, timeout_s=1.0).open()


def test_every_instrument_answers_its_identity_over_a_socket(station: StationConfig) -> None:
    addresses = {entry.address for entry in station.instruments.values()}
    assert all(address.startswith("TCPIP0::127.0.0.1::") for address in addresses)
    for kind, cls in (
        ("switch", SwitchMatrix),
        ("vsg", SignalGenerator),
        ("sa", SpectrumAnalyzer),
        ("vna", NetworkAnalyzer),
        ("handler", CardHandler),
    ):
        with connect(cls, station, kind) as driver:
            identity = driver.identify()
            assert identity.manufacturer == "JOURNEY-SIM"
            assert driver.drain_errors() == ()


def test_the_generator_settings_round_trip_and_a_refused_one_raises_naming_it(
    station: StationConfig,
) -> None:
    with connect(SignalGenerator, station, "vsg") as vsg:
        assert isinstance(vsg, SignalGenerator)
        vsg.reset()
        vsg.set_frequency(13.56e6)
        vsg.set_power(-7.25)
        vsg.configure_am(10, 847.5e3)
        vsg.set_am(True)
        vsg.set_output(True)
        assert (vsg.frequency(), vsg.power(), vsg.output(), vsg.am_enabled()) == (
            13.56e6,
            -7.25,
            True,
            True,
        )
        with pytest.raises(ExecutionError) as raised:
            vsg.set_power(35)
        assert raised.value.code == -222
        assert raised.value.command == "SOUR:POW 35"
        assert vsg.power() == -7.25  # a refused setting changes nothing
        with pytest.raises(CommandError) as unknown:
            vsg.write("SOUR:FREQuenc 1")
        assert unknown.value.code == -113
        with pytest.raises(CommandError):
            vsg.query("SOUR:NOPE?", timeout_s=0.2)  # silence, then the queue explains it
        assert vsg.identify().model == "VSG-SIM"  # the session is still in step


def test_the_switch_closes_opens_and_reads_back_relays(
    station: StationConfig, host: SimulatorHost
) -> None:
    with connect(SwitchMatrix, station, "switch") as switch:
        assert isinstance(switch, SwitchMatrix)
        switch.close_channels([1101, 1104])
        switch.wait_complete()
        assert switch.closed_states([1101, 1104, 1201]) == [True, True, False]
        assert host.call(lambda bench: sorted(bench.closed)) == [1101, 1104]
        with pytest.raises(ExecutionError) as raised:
            switch.close_channels([1202, 1204])  # the generator onto the VNA's net
        assert raised.value.code == -221
        switch.open_all()
        assert switch.closed_among([1101, 1104]) == set()
        assert switch.relay_cycles([1101, 1202]) == [1, 0]
        assert "MATRIX-4X16" in switch.card_type(1)


def test_the_analyzers_see_a_card_only_through_closed_routes(
    station: StationConfig, host: SimulatorHost
) -> None:
    card = CardTruth("REF-1", 15.0e6, 30.0, 0.8, 12.0, 20.0, Defect.NONE)
    host.call(lambda bench: bench.cards.__setitem__(1, card))
    with (
        connect(SwitchMatrix, station, "switch") as switch,
        connect(NetworkAnalyzer, station, "vna") as vna,
    ):
        assert isinstance(switch, SwitchMatrix)
        assert isinstance(vna, NetworkAnalyzer)
        vna.reset()
        vna.configure_sweep(start_hz=10e6, stop_hz=20e6, points=401)
        vna.define_measurement("S11")
        vna.set_continuous(False)
        vna.set_impedance_conversion(True)
        vna.set_format("REAL")
        vna.single_sweep()
        open_peak = vna.marker_search("MAX")[1]
        assert open_peak > 1e6  # an open: nothing but the unterminated port
        switch.close_channels([1101, 1104])
        switch.wait_complete()
        vna.single_sweep()
        hz, _ = vna.marker_search("MAX")
        baseline = vna.marker_value(10e6, marker=2)
        _, peak = vna.marker_search("MAX")
        found = vna.bandwidth_search(-(peak - baseline) / 2)
        assert hz == pytest.approx(15.0e6, rel=0.005)
        assert found.center_hz == pytest.approx(15.0e6, rel=0.005)
        assert found.q == pytest.approx(30.0, rel=0.1)
        assert len(vna.frequencies()) == 401
        with pytest.raises(ExecutionError):
            vna.define_measurement("S21")  # a one-port setup refuses transmission


def test_the_spectrum_analyzer_finds_the_carrier_through_the_generator_route(
    station: StationConfig,
) -> None:
    with (
        connect(SwitchMatrix, station, "switch") as switch,
        connect(SignalGenerator, station, "vsg") as vsg,
        connect(SpectrumAnalyzer, station, "sa") as sa,
    ):
        assert isinstance(switch, SwitchMatrix)
        assert isinstance(vsg, SignalGenerator)
        assert isinstance(sa, SpectrumAnalyzer)
        sa.reset()
        sa.set_continuous(False)
        sa.configure(center_hz=13.56e6, span_hz=2e6, rbw_hz=10e3, points=1001)
        assert (sa.center(), sa.span(), sa.rbw()) == (13.56e6, 2e6, 10e3)
        vsg.set_frequency(13.56e6)
        vsg.set_power(0)
        vsg.set_output(True)
        sa.sweep()
        assert sa.peak_search()[1] < -80  # no route yet: noise only
        switch.close_channels([1102, 1104, 1203, 1205])  # generator -> P1 antenna, SA <- P1 sense
        switch.wait_complete()
        sa.sweep()
        hz, level = sa.peak_search()
        assert hz == pytest.approx(13.56e6, abs=4e3)
        assert level > -50
        assert len(sa.trace()) == 1001
        with pytest.raises(ExecutionError):
            sa.set_marker(1, 20e6)  # outside the span


def test_the_handler_places_a_card_after_its_motion(station: StationConfig) -> None:
    with connect(CardHandler, station, "handler") as handler:
        assert isinstance(handler, CardHandler)
        assert handler.positions() == 4
        handler.load(2, 'CARD "A"')
        handler.wait_idle(2, timeout_s=2, interval_s=0.001)
        assert handler.state(2) is PositionState.OCCUPIED
        assert handler.dut(2) == 'CARD "A"'
        with pytest.raises(ExecutionError):
            handler.load(2, "CARD-B")  # occupied
        handler.unload(2, Bin.FAIL)
        handler.wait_idle(2, timeout_s=2, interval_s=0.001)
        assert handler.state(2) is PositionState.EMPTY
        assert handler.bin_count(Bin.FAIL) == 1


def test_a_second_owner_waits_for_the_first_and_gives_up_in_time(station: StationConfig) -> None:
    entry = station.instrument("sa")
    sa = SpectrumAnalyzer(entry.name, entry.address, lock_timeout_s=0.05).open()
    held = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with sa.reserved("site-1"):
            held.set()
            done.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(InstrumentBusy, match="site-1"):
            sa.identify()
    finally:
        done.set()
        thread.join()
        sa.close()
