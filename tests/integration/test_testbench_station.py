"""The station measuring cards on simulated instruments over real sockets: verdicts, faults,
route safety, retries, multi-site scheduling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from journey.testbench.errors import ExecutionError, PathCapability, RouteError
from journey.testbench.integration import StationCardTester
from journey.testbench.multisite import MultiSiteRunner
from journey.testbench.runtime import Station, open_station
from journey.testbench.sequences.record import Verdict
from journey.testbench.simulators.config import SimulationConfig, Timing
from journey.testbench.simulators.host import SimulatorHost
from journey.testbench.simulators.physics.cards import Defect
from journey.testbench.simulators.truth import true_verdict
from journey.testbench.station import StationConfig, load_station

SIMULATION = SimulationConfig(seed=11, timing=Timing.fast()).with_defect_rate(0.3)


def card_with(defect: Defect, simulation: SimulationConfig = SIMULATION) -> str:
    """The id of a card of the simulated lot that has this defect (or none)."""
    for index in range(20_000):
        dut = f"T-{index}"
        if simulation.population.draw(simulation.seed, dut).defect is defect:
            return dut
    raise AssertionError(f"no {defect} card in the lot")


@pytest.fixture
def host() -> Iterator[SimulatorHost]:
    with SimulatorHost(load_station(), SIMULATION) as running:
        yield running


@pytest.fixture
def station(host: SimulatorHost) -> Iterator[Station]:
    opened = open_station(host.station())
    yield opened
    opened.close()


def test_a_good_card_passes_with_measurements_close_to_its_hidden_truth(
    station: Station, host: SimulatorHost, tmp_path: Path
) -> None:
    dut = card_with(Defect.NONE)
    record = StationCardTester(station).test(dut)
    truth = host.call(lambda bench: bench.truth(dut))
    assert record.verdict is Verdict.PASS, record.to_json()
    f0 = record.measurement("resonance_frequency")
    assert f0 is not None
    assert isinstance(f0.value, float)
    assert f0.value == pytest.approx(truth.resonance_hz, rel=0.005)
    hmin = record.measurement("minimum_operating_field")
    assert hmin is not None
    assert isinstance(hmin.value, float)
    assert truth.hmin_a_per_m <= hmin.value <= truth.hmin_a_per_m + 0.11
    assert host.call(lambda bench: bench.bins["PASS"]) == [dut]

    document = json.loads(record.write(tmp_path).read_text(encoding="utf-8"))
    assert document["schema"] == "journey.testbench.record/1"
    assert document["station_id"] == "rf-station-01"
    assert document["dut_id"] == dut
    assert document["verdict"] == "PASS"
    assert document["instruments"]["vna"].startswith("JOURNEY-SIM,VNA-SIM")
    assert [phase["name"] for phase in document["phases"]] == ["resonance", "field"]
    assert set(document["measurements"]) == {
        "resonance_frequency",
        "quality_factor",
        "load_modulation_sideband",
        "minimum_operating_field",
        "operates_at_max_field",
    }
    assert document["phases"][1]["routes"] == "P1_FIELD"
    assert document["ended_at"] >= document["started_at"]


@pytest.mark.parametrize(
    "defect",
    [
        Defect.DETUNED,
        Defect.LOW_Q,
        Defect.HIGH_Q,
        Defect.WEAK_COUPLING,
        Defect.WEAK_MODULATION,
        Defect.HIGH_FIELD_FAILURE,
        Defect.DEAD,
    ],
)
def test_a_defective_card_fails_naming_the_measurement_its_defect_breaks(
    station: Station, host: SimulatorHost, defect: Defect
) -> None:
    dut = card_with(defect)
    record = StationCardTester(station).test(dut)
    truth = host.call(lambda bench: bench.truth(dut))
    _, expected = true_verdict(truth, station.config)
    assert record.verdict is Verdict.FAIL
    assert record.failed_measurements == expected
    assert host.call(lambda bench: bench.bins["FAIL"]) == [dut]


def test_a_card_measured_through_an_open_route_is_never_passed(
    station: Station, host: SimulatorHost
) -> None:
    good = card_with(Defect.NONE)
    tester = StationCardTester(station)
    # The relay joining row 2 to position 1's sense coil reads back closed but never makes
    # contact: the analyzer hears nothing, whatever the card does.
    host.call(lambda bench: bench.faults.stuck_open.add(1205))
    record = tester.test(good)
    assert record.verdict is Verdict.ERROR
    assert "no carrier" in (record.phases[-1].attempts[-1].error or "")
    host.call(lambda bench: bench.faults.stuck_open.clear())
    # The probe relay of position 1 open: the VNA sees an open, not a probe loop.
    host.call(lambda bench: bench.faults.stuck_open.add(1104))
    record = tester.test(good)
    assert record.verdict is Verdict.ERROR
    assert "open" in (record.phases[0].attempts[-1].error or "")
    host.call(lambda bench: bench.faults.stuck_open.clear())
    assert tester.test(good).verdict is Verdict.PASS  # the same card, the relay mended


def test_a_route_to_an_empty_position_reads_no_card_and_fails(
    host: SimulatorHost,
) -> None:
    config = host.station()
    miswired = replace(config.positions[1], routes={"resonance": "P2_PROBE", "field": "P2_FIELD"})
    config = config.with_changes(positions={**config.positions, 1: miswired})
    with open_station(config) as station:
        record = StationCardTester(station, position=1).test(card_with(Defect.NONE))
    assert record.verdict is Verdict.FAIL
    assert "resonance_frequency" in record.failed_measurements
    assert "load_modulation_sideband" in record.failed_measurements


def test_a_connect_that_fails_halfway_leaves_no_relay_closed(
    station: Station, host: SimulatorHost
) -> None:
    host.call(lambda bench: bench.faults.fail_to_close.add(1205))
    with pytest.raises(ExecutionError) as raised:
        station.routes.connect("P1_FIELD", owner="site-1")
    assert raised.value.code == -240
    all_relays = station.config.topology.all_relays()
    assert station.switch.closed_among(all_relays) == set()
    assert host.call(lambda bench: set(bench.closed)) == set()
    assert station.routes.connections() == []
    record = StationCardTester(station).test(card_with(Defect.NONE))
    assert record.verdict is Verdict.ERROR
    assert station.switch.closed_among(all_relays) == set()


def test_conflicting_routes_are_refused_with_the_reason(station: Station) -> None:
    station.routes.connect("P1_PROBE", owner="site-1")
    with pytest.raises(RouteError) as raised:
        station.routes.connect("P1_DRIVE", owner="site-2")
    assert raised.value.capability is PathCapability.SOURCE_CONFLICT
    assert "P1_PROBE" in raised.value.reason
    assert "site-1" in raised.value.reason
    with pytest.raises(RouteError) as in_use:
        station.routes.connect("VNA->P2_ANT", owner="site-2")
    assert in_use.value.capability is PathCapability.RESOURCE_IN_USE
    # Going around the route manager, the (simulated) mainframe refuses too.
    with pytest.raises(ExecutionError) as refused:
        station.switch.close_channels([1202, 1204])
    assert refused.value.code == -221
    station.routes.disconnect("P1_PROBE")


def test_a_retried_measurement_keeps_both_attempts_in_the_record(
    station: Station, host: SimulatorHost
) -> None:
    dut = card_with(Defect.NONE)
    host.call(lambda bench: bench.faults.unseated.__setitem__(dut, 1))  # seats on the retry
    record = StationCardTester(station).test(dut)
    assert record.verdict is Verdict.PASS
    assert record.retries == 1
    resonance = record.to_json()["phases"][0]
    assert resonance["retries"] == 1
    first, second = resonance["attempts"]
    assert first["outcome"] == "FAIL"
    assert first["measurements"][0]["value"] is None
    assert "no resonance" in first["measurements"][0]["note"]
    assert second["outcome"] == "PASS"


def test_the_vna_marker_method_agrees_with_the_trace_analysis(host: SimulatorHost) -> None:
    config: StationConfig = host.station()
    config = config.with_changes(resonance=replace(config.resonance, method="marker"))
    dut = card_with(Defect.NONE)
    with open_station(config) as station:
        record = StationCardTester(station).test(dut)
    truth = host.call(lambda bench: bench.truth(dut))
    f0 = record.measurement("resonance_frequency")
    q = record.measurement("quality_factor")
    assert record.verdict is Verdict.PASS
    assert f0 is not None
    assert f0.value == pytest.approx(truth.resonance_hz, rel=0.005)
    assert q is not None
    assert q.value == pytest.approx(truth.q, rel=0.1)


def test_the_multi_site_schedule_never_double_books_an_instrument(
    station: Station, host: SimulatorHost
) -> None:
    duts = [f"M-{index}" for index in range(16)]
    result = MultiSiteRunner(station, sites=[1, 2, 3, 4]).run(duts)
    assert [record.dut_id for record in result.records] == duts
    assert result.site_errors == []
    assert result.untested == []
    assert result.overlaps() == []
    assert station.routes.refusals == 0
    for instrument in ("vna", "sa", "vsg"):
        owners = {b.owner for b in result.bookings if instrument in b.resources}
        assert len(owners) == 4, instrument
    # The sites did interleave: some VNA booking ran while another site held the analyzer.
    vna = [b for b in result.bookings if "vna" in b.resources]
    sa = [b for b in result.bookings if "sa" in b.resources]
    assert any(
        a.owner != b.owner
        and a.granted_at < (b.released_at or 0)
        and b.granted_at < (a.released_at or 0)
        for a in vna
        for b in sa
    )
    truths = host.call(lambda bench: {dut: bench.truth(dut) for dut in duts})
    for record in result.records:
        assert record.verdict is true_verdict(truths[record.dut_id], station.config)[0]
    bins = host.call(lambda bench: {name: sorted(ids) for name, ids in bench.bins.items()})
    assert bins["PASS"] == sorted(r.dut_id for r in result.records if r.verdict is Verdict.PASS)
    assert bins["FAIL"] == sorted(r.dut_id for r in result.records if r.verdict is Verdict.FAIL)


def test_a_station_with_a_records_directory_writes_one_json_record_per_card(
    host: SimulatorHost, tmp_path: Path
) -> None:
    config = host.station().with_changes(records_dir=tmp_path / "records")
    with open_station(config) as station:
        result = MultiSiteRunner(station, sites=[1, 2]).run(["R-1", "R-2", "R-3"])
    files = sorted((tmp_path / "records").glob("*.json"))
    assert [path.name.split(".")[0] for path in files] == ["R-1", "R-2", "R-3"]
    written = {json.loads(path.read_text(encoding="utf-8"))["record_id"] for path in files}
    assert written == {record.record_id for record in result.records}
