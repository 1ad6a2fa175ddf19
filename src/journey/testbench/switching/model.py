"""The switching configuration, in NI Switch Executive's terms.

- **Channels** of a matrix are its rows `r1..rR` and columns `c1..cC`; the relay joining row r
  and column c is channel `srcc` on the mainframe.
- **Endpoints** are named channels where something is cabled (an instrument port, a fixture
  coil). Some endpoints are **sources** (they drive a signal): two sources must never share a net.
- Channels **reserved for routing** (typically the rows) may only be the middle of a path, never
  an endpoint, and carry one route at a time.
- **Routes** are named endpoint pairs (`VNA->P1_ANT`) or fully specified paths
  (`[VNA->r2->P1_ANT]`); **route groups** name several routes made together.
- **Exclusions** are safety rules: `mutual` (nothing of set A on a net with anything of set B,
  e.g. never the amplified generator straight into the analyzer) and `set` (at most one member
  connected at a time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")  # NISE reserves ; , & : ! ~ . < > [ ] / space
_CHANNEL = re.compile(r"^([rc])(\d+)$")


class ExclusionKind(StrEnum):
    MUTUAL = "mutual"
    SET = "set"


@dataclass(frozen=True, slots=True)
class Exclusion:
    name: str
    kind: ExclusionKind
    a: frozenset[str]  # endpoint or channel names (the set's members for `set`)
    b: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    channel: str
    source: bool = False


@dataclass(frozen=True)
class Topology:
    """One matrix module: its size, endpoints, reserved channels, routes, groups, exclusions."""

    slot: int
    rows: int
    columns: int
    endpoints: Mapping[str, Endpoint]
    reserved: frozenset[str]
    routes: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()

    def __post_init__(self) -> None:
        problems: list[str] = []
        for channel in self.reserved:
            if not self.is_channel(channel):
                problems.append(f"reserved channel {channel!r} does not exist")
        aliases: dict[str, str] = {}
        for name, endpoint in self.endpoints.items():
            if not _NAME.match(name):
                problems.append(f"endpoint name {name!r} has reserved characters")
            if not self.is_channel(endpoint.channel):
                problems.append(f"endpoint {name} is on {endpoint.channel!r}, not a channel")
            if endpoint.channel in self.reserved:
                problems.append(f"endpoint {name} is on {endpoint.channel}, reserved for routing")
            if endpoint.channel in aliases:
                problems.append(
                    f"endpoints {aliases[endpoint.channel]} and {name} share {endpoint.channel}"
                )
            aliases[endpoint.channel] = name
        for name in [*self.routes, *self.groups]:
            if not _NAME.match(name):
                problems.append(f"route name {name!r} has reserved characters")
        for name in set(self.routes) & set(self.groups):
            problems.append(f"{name} is both a route and a route group")
        for name in set(self.routes) & set(self.endpoints):
            problems.append(f"{name} is both a route and an endpoint")
        for group, members in self.groups.items():
            for member in members:
                if member not in self.routes:
                    problems.append(f"group {group} names {member}, which is not a route")
        for exclusion in self.exclusions:
            for name in exclusion.a | exclusion.b:
                if self.channel_of(name) is None:
                    problems.append(f"exclusion {exclusion.name} names unknown {name!r}")
        if problems:
            raise ValueError("; ".join(problems))

    # -- names -----------------------------------------------------------------------------------
    def is_channel(self, name: str) -> bool:
        match = _CHANNEL.match(name)
        if match is None:
            return False
        limit = self.rows if match.group(1) == "r" else self.columns
        return 1 <= int(match.group(2)) <= limit

    def channel_of(self, name: str) -> str | None:
        """The channel an endpoint name or a channel name refers to."""
        endpoint = self.endpoints.get(name)
        if endpoint is not None:
            return endpoint.channel
        return name if self.is_channel(name) else None

    def label(self, channel: str) -> str:
        """The endpoint name of a channel when it has one (what people read)."""
        for endpoint in self.endpoints.values():
            if endpoint.channel == channel:
                return endpoint.name
        return channel

    def is_source(self, channel: str) -> bool:
        return any(e.source and e.channel == channel for e in self.endpoints.values())

    def channels(self) -> list[str]:
        return [f"r{row}" for row in range(1, self.rows + 1)] + [
            f"c{column}" for column in range(1, self.columns + 1)
        ]

    # -- relays ----------------------------------------------------------------------------------
    def relay(self, a: str, b: str) -> int:
        """The relay joining a row and a column (in either order), as an `srcc` channel number."""
        row, column = (a, b) if a.startswith("r") else (b, a)
        if not (row.startswith("r") and column.startswith("c")):
            raise ValueError(f"no relay joins {a} and {b}")
        return self.slot * 1000 + int(row[1:]) * 100 + int(column[1:])

    def relays_of(self, path: Iterable[str]) -> tuple[int, ...]:
        hops = list(path)
        return tuple(self.relay(hops[i], hops[i + 1]) for i in range(len(hops) - 1))

    def all_relays(self) -> list[int]:
        return [
            self.slot * 1000 + row * 100 + column
            for row in range(1, self.rows + 1)
            for column in range(1, self.columns + 1)
        ]
