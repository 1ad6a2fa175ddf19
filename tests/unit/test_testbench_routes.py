"""The route manager: reasons for refusals, transactional connects, reference counts, BBM."""

from __future__ import annotations

import pytest

from journey.testbench.errors import ExecutionError, PathCapability, RouteError, ScpiErrorEntry
from journey.testbench.station import load_station
from journey.testbench.switching import (
    Endpoint,
    Exclusion,
    ExclusionKind,
    MulticonnectMode,
    OperationOrder,
    RouteManager,
    Topology,
)


class FakeSwitch:
    """Relay state plus a log of commands; can fail on chosen relays like a real mainframe
    (relays listed before the failing one in the same command stay closed)."""

    def __init__(self, fail_on: set[int] | None = None) -> None:
        self.closed: set[int] = set()
        self.log: list[str] = []
        self.fail_on = fail_on or set()

    def close_channels(self, channels: list[int]) -> None:
        self.log.append(f"close {sorted(channels)}")
        for channel in channels:
            if channel in self.fail_on:
                raise ExecutionError.raised(
                    "switch", "ROUT:CLOS", (ScpiErrorEntry(-240, "Hardware error"),)
                )
            self.closed.add(channel)

    def open_channels(self, channels: list[int]) -> None:
        self.log.append(f"open {sorted(channels)}")
        self.closed -= set(channels)

    def wait_complete(self, timeout_s: float | None = None) -> None:
        self.log.append("wait")

    def closed_among(self, channels: list[int]) -> set[int]:
        return self.closed & set(channels)


@pytest.fixture
def topology() -> Topology:
    return load_station().topology


def manager(topology: Topology, switch: FakeSwitch | None = None) -> RouteManager:
    return RouteManager(topology, switch or FakeSwitch())


def test_a_free_route_takes_a_free_row_and_closes_its_two_relays(topology: Topology) -> None:
    switch = FakeSwitch()
    routes = manager(topology, switch)
    lookup = routes.find_route("VNA", "P1_ANT")
    assert lookup.capability is PathCapability.PATH_AVAILABLE
    assert lookup.path == ("c1", "r1", "c4")
    routes.connect("P1_PROBE", owner="site-1")
    assert switch.closed == {1101, 1104}
    assert routes.find_route("VNA", "P1_ANT").capability is PathCapability.PATH_EXISTS
    assert routes.verify() == (set(), set())


def test_a_second_source_on_a_driven_port_is_refused_with_the_reason(topology: Topology) -> None:
    routes = manager(topology)
    routes.connect("P1_PROBE", owner="site-1")
    lookup = routes.find_route("VSG", "P1_ANT")
    assert lookup.capability is PathCapability.SOURCE_CONFLICT
    assert "VNA and VSG" in lookup.reason or "VSG and VNA" in lookup.reason
    assert "P1_PROBE" in lookup.reason
    assert "site-1" in lookup.reason
    with pytest.raises(RouteError) as raised:
        routes.connect("P1_DRIVE")
    assert raised.value.capability is PathCapability.SOURCE_CONFLICT
    assert routes.refusals == 1


def test_an_exclusion_keeps_the_generator_away_from_the_analyzer(topology: Topology) -> None:
    lookup = manager(topology).find_route("VSG", "SA")
    assert lookup.capability is PathCapability.EXCLUSION_CONFLICT
    assert "protect_sa_input" in lookup.reason


def test_an_endpoint_in_use_by_another_route_is_refused_naming_it(topology: Topology) -> None:
    routes = manager(topology)
    routes.connect("P1_LISTEN", owner="site-1")
    lookup = routes.find_route("SA", "P2_SENSE")
    assert lookup.capability is PathCapability.RESOURCE_IN_USE
    assert "P1_LISTEN" in lookup.reason
    assert "site-1" in lookup.reason


def test_lookups_explain_unknown_reserved_and_impossible_routes(topology: Topology) -> None:
    routes = manager(topology)
    assert routes.find_route("VNA", "NOPE").capability is PathCapability.PATH_UNSUPPORTED
    reserved = routes.find_route("VNA", "r2")
    assert reserved.capability is PathCapability.CHANNEL_NOT_AVAILABLE
    assert "reserved for routing" in reserved.reason
    with pytest.raises(RouteError) as raised:
        routes.connect("VNA->P1_ANT & ")
    assert raised.value.capability is PathCapability.PATH_UNSUPPORTED


def test_when_every_routing_row_is_busy_the_lookup_says_so(topology: Topology) -> None:
    small = Topology(
        slot=1,
        rows=1,
        columns=4,
        endpoints={
            "A": Endpoint("A", "c1"),
            "B": Endpoint("B", "c2"),
            "C": Endpoint("C", "c3"),
            "D": Endpoint("D", "c4"),
        },
        reserved=frozenset({"r1"}),
    )
    routes = manager(small)
    routes.connect("A->B", owner="site-1")
    lookup = routes.find_route("C", "D")
    assert lookup.capability is PathCapability.RESOURCE_IN_USE
    assert "r1 by A->B" in lookup.reason
    no_rows = Topology(1, 1, 2, {"A": Endpoint("A", "c1"), "B": Endpoint("B", "c2")}, frozenset())
    assert manager(no_rows).find_route("A", "B").capability is PathCapability.PATH_UNSUPPORTED


def test_a_connect_that_fails_halfway_opens_every_relay_it_closed(topology: Topology) -> None:
    # P1_FIELD = P1_DRIVE (VSG->P1_ANT on row 1) then P1_LISTEN (SA->P1_SENSE on row 2):
    # the second route's second relay (row 2, column 5) fails after its first one closed.
    switch = FakeSwitch(fail_on={1205})
    routes = manager(topology, switch)
    with pytest.raises(ExecutionError):
        routes.connect("P1_FIELD", owner="site-1")
    assert switch.closed == set()
    assert routes.connections() == []
    assert switch.log[-2:] == ["open [1102, 1104, 1203, 1205]", "wait"]
    switch.fail_on.clear()
    routes.connect("P1_FIELD", owner="site-1")  # nothing left behind blocks a retry
    assert switch.closed == {1102, 1104, 1203, 1205}


def test_a_spec_is_checked_whole_before_any_relay_moves(topology: Topology) -> None:
    switch = FakeSwitch()
    routes = manager(topology, switch)
    with pytest.raises(RouteError) as raised:
        routes.connect("P1_PROBE & P1_DRIVE")  # the second conflicts with the first
    assert raised.value.capability is PathCapability.SOURCE_CONFLICT
    assert switch.log == []


def test_shared_routes_are_reference_counted(topology: Topology) -> None:
    switch = FakeSwitch()
    routes = manager(topology, switch)
    routes.connect("P1_LISTEN", owner="phase-a")
    routes.connect("SA->P1_SENSE", owner="phase-b")  # the same endpoints: counted again
    routes.disconnect("P1_LISTEN")
    assert switch.closed == {1103, 1105}
    routes.disconnect("P1_LISTEN")
    assert switch.closed == set()
    with pytest.raises(RouteError, match="not connected"):
        routes.disconnect("P1_LISTEN")
    routes.connect("P1_LISTEN")
    with pytest.raises(RouteError) as raised:
        routes.connect("P1_LISTEN", mode=MulticonnectMode.NO_MULTICONNECT)
    assert raised.value.capability is PathCapability.PATH_EXISTS


def test_break_before_make_opens_and_settles_before_closing(topology: Topology) -> None:
    switch = FakeSwitch()
    routes = manager(topology, switch)
    routes.connect("P1_PROBE")
    switch.log.clear()
    routes.connect_and_disconnect("P1_DRIVE", "P1_PROBE", order=OperationOrder.BREAK_BEFORE_MAKE)
    assert switch.log == ["open [1101, 1104]", "wait", "close [1102, 1104]", "wait"]
    with pytest.raises(RouteError):  # make-before-break would join the two sources
        routes.connect_and_disconnect(
            "P1_PROBE", "P1_DRIVE", order=OperationOrder.MAKE_BEFORE_BREAK
        )
    assert routes.is_connected("P1_DRIVE")


def test_a_fully_specified_path_must_use_free_routing_channels(topology: Topology) -> None:
    routes = manager(topology)
    routes.connect("[VNA->r3->P1_ANT]")
    assert routes.connections()[0].path == ("c1", "r3", "c4")
    lookup = routes.check("[SA->r3->P2_SENSE]")[0]
    assert lookup.capability is PathCapability.RESOURCE_IN_USE
    assert routes.check("[SA->c5->P2_SENSE]")[0].capability is PathCapability.PATH_UNSUPPORTED


def test_a_set_exclusion_allows_one_member_at_a_time() -> None:
    topology = Topology(
        slot=1,
        rows=2,
        columns=4,
        endpoints={name: Endpoint(name, f"c{i}") for i, name in enumerate("ABCD", start=1)},
        reserved=frozenset({"r1", "r2"}),
        exclusions=(Exclusion("one_of", ExclusionKind.SET, frozenset({"B", "C"})),),
    )
    routes = manager(topology)
    routes.connect("A->B")
    lookup = routes.find_route("D", "C")
    assert lookup.capability is PathCapability.EXCLUSION_CONFLICT
    assert "one_of" in lookup.reason
    routes.disconnect("A->B")
    assert routes.find_route("D", "C").possible


def test_a_topology_refuses_endpoints_on_reserved_channels_and_unknown_group_members() -> None:
    with pytest.raises(ValueError, match="reserved for routing"):
        Topology(1, 2, 2, {"A": Endpoint("A", "r1")}, frozenset({"r1"}))
    with pytest.raises(ValueError, match="not a route"):
        Topology(1, 2, 2, {"A": Endpoint("A", "c1")}, frozenset(), groups={"G": ("X",)})
