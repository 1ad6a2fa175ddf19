"""Routing over the switch matrix, after NI Switch Executive: endpoints, routes, groups,
exclusions, path lookup with reasons, transactional and reference-counted connections."""

from journey.testbench.switching.manager import (
    ActiveRoute,
    MulticonnectMode,
    OperationOrder,
    RouteLookup,
    RouteManager,
    SwitchPort,
)
from journey.testbench.switching.model import Endpoint, Exclusion, ExclusionKind, Topology
from journey.testbench.switching.routespec import RouteRequest, RouteSpecError, parse_route_spec

__all__ = [
    "ActiveRoute",
    "Endpoint",
    "Exclusion",
    "ExclusionKind",
    "MulticonnectMode",
    "OperationOrder",
    "RouteLookup",
    "RouteManager",
    "RouteRequest",
    "RouteSpecError",
    "SwitchPort",
    "Topology",
    "parse_route_spec",
]
