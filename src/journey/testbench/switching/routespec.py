"""Route specification strings, after NI Switch Executive: `A & B & C`.

Each item is a route name, a route-group name, `X->Y` (find a path at connect time) or a fully
specified path `[X->r2->Y]`. White space is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from journey.testbench.switching.model import Topology


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """One endpoint pair to connect, as named in a spec (and the explicit path if given)."""

    label: str
    a: str
    b: str
    via: tuple[str, ...] | None = None  # the full path, endpoints included, when specified


class RouteSpecError(ValueError):
    """A route specification that does not parse or names nothing known."""


def parse_route_spec(spec: str, topology: Topology) -> list[RouteRequest]:
    """Expand a spec into endpoint pairs, groups and named routes resolved, order kept."""
    text = "".join(spec.split())
    if not text:
        raise RouteSpecError("empty route specification")
    requests: list[RouteRequest] = []
    for item in text.split("&"):
        requests.extend(_item(item, topology, spec, depth=0))
    return requests


def _item(item: str, topology: Topology, spec: str, depth: int) -> list[RouteRequest]:
    if not item:
        raise RouteSpecError(f"empty item in {spec!r}")
    if depth > 4:
        raise RouteSpecError(f"routes nest too deep in {spec!r}")
    if item in topology.groups:
        found: list[RouteRequest] = []
        for member in topology.groups[item]:
            found.extend(_named(member, topology, spec, depth))
        return found
    if item in topology.routes:
        return _named(item, topology, spec, depth)
    return [_pair(item, item, spec)]


def _named(name: str, topology: Topology, spec: str, depth: int) -> list[RouteRequest]:
    definition = "".join(topology.routes[name].split())
    if definition in topology.routes or definition in topology.groups:
        return _item(definition, topology, spec, depth + 1)
    return [_pair(definition, name, spec)]


def _pair(text: str, label: str, spec: str) -> RouteRequest:
    if text.startswith("[") and text.endswith("]"):
        hops = tuple(text[1:-1].split("->"))
        if len(hops) < 2 or any(not hop for hop in hops):
            raise RouteSpecError(f"bad path {text!r} in {spec!r}")
        return RouteRequest(label, hops[0], hops[-1], hops)
    parts = text.split("->")
    if len(parts) != 2 or not all(parts):
        raise RouteSpecError(f"{text!r} in {spec!r} is neither a route, a group nor X->Y")
    return RouteRequest(label, parts[0], parts[1])
