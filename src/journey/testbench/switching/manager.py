"""The route manager: checks, connects and disconnects routes on a switch matrix.

- `find_route` answers whether a route can be made and, when not, why (a `PathCapability` and
  a sentence): unknown endpoint, reserved channel, two sources on one net, an exclusion, an
  endpoint or every routing row in use, or no path at all.
- `connect` is transactional: every route of the spec is checked against the current state *and*
  the routes planned before it, then the relays close one route per command; if any command
  fails, every relay this call touched is opened again and the state is left as it was.
- Routes are reference-counted: connecting a connected route counts it again (unless
  `NO_MULTICONNECT`), and its relays open only when the last user disconnects.
- Switching is break-before-make: relays are opened and allowed to settle (`*OPC?`) before any
  other relay closes, in separate commands, since the order inside one channel list is not
  guaranteed. The settling after a break is waited for lazily, by the next connect before it
  closes anything, so releasing a route does not keep its instruments waiting.
  `connect_and_disconnect` offers both orders explicitly.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import NoReturn, Protocol

from journey.testbench.errors import PathCapability, RouteError, TestbenchError
from journey.testbench.switching.model import ExclusionKind, Topology
from journey.testbench.switching.routespec import RouteRequest, RouteSpecError, parse_route_spec


class SwitchPort(Protocol):
    """What the manager needs from a switch driver (`SwitchMatrix` provides it)."""

    def close_channels(self, channels: list[int]) -> None: ...

    def open_channels(self, channels: list[int]) -> None: ...

    def wait_complete(self, timeout_s: float | None = None) -> None: ...

    def closed_among(self, channels: list[int]) -> set[int]: ...


class MulticonnectMode(Enum):
    MULTICONNECT = "multiconnect"  # connecting again counts a reference
    NO_MULTICONNECT = "no_multiconnect"  # connecting again is an error


class OperationOrder(Enum):
    BREAK_BEFORE_MAKE = "break_before_make"
    MAKE_BEFORE_BREAK = "make_before_break"


@dataclass
class ActiveRoute:
    label: str
    a: str
    b: str
    path: tuple[str, ...]
    relays: tuple[int, ...]
    count: int = 1
    owners: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RouteLookup:
    """The answer of `find_route`: can the route be made, by which path, and if not why."""

    label: str
    capability: PathCapability
    path: tuple[str, ...] | None
    reason: str

    @property
    def possible(self) -> bool:
        return self.capability in (PathCapability.PATH_AVAILABLE, PathCapability.PATH_EXISTS)


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass
class _State:
    routes: dict[tuple[str, str], ActiveRoute] = field(default_factory=dict)

    def holder(self, channel: str) -> ActiveRoute | None:
        for route in self.routes.values():
            if channel in route.path:
                return route
        return None

    def net(self, channel: str) -> set[str]:
        route = self.holder(channel)
        return set(route.path) if route else {channel}


class RouteManager:
    """Routes over one switch matrix; thread-safe (sites share it)."""

    def __init__(self, topology: Topology, switch: SwitchPort, *, owner: str = "routes") -> None:
        self.topology = topology
        self._switch = switch
        self._state = _State()
        self._lock = threading.RLock()
        self._owner = owner
        self.refusals = 0  # routes refused since start (a healthy schedule causes none)
        self._break_pending = False  # relays opened and maybe still bouncing

    # -- lookups ---------------------------------------------------------------------------------
    def find_route(self, a: str, b: str) -> RouteLookup:
        """Whether `a->b` can be connected now, and the path it would take."""
        with self._lock:
            return self._lookup(RouteRequest(f"{a}->{b}", a, b), self._state)

    def check(self, spec: str) -> list[RouteLookup]:
        """Every route of a spec, each checked as if the ones before it were connected."""
        with self._lock:
            state = copy.deepcopy(self._state)
            answers = []
            for request in self._parse(spec):
                answer = self._lookup(request, state)
                answers.append(answer)
                if answer.capability is PathCapability.PATH_AVAILABLE and answer.path:
                    self._add(state, request, answer.path, "check")
            return answers

    def is_connected(self, spec: str) -> bool:
        with self._lock:
            return all(
                self._active(request, self._state) is not None for request in self._parse(spec)
            )

    def connections(self) -> list[ActiveRoute]:
        with self._lock:
            return [copy.copy(route) for route in self._state.routes.values()]

    def closed_relays(self) -> set[int]:
        """The relays the manager believes closed."""
        with self._lock:
            return {relay for route in self._state.routes.values() for relay in route.relays}

    def verify(self) -> tuple[set[int], set[int]]:
        """Compare with the switch's readback: (closed but not expected, expected but open)."""
        with self._lock:
            closed = self._switch.closed_among(self.topology.all_relays())
            expected = self.closed_relays()
            return closed - expected, expected - closed

    # -- connecting ------------------------------------------------------------------------------
    def connect(
        self,
        spec: str,
        *,
        owner: str = "",
        mode: MulticonnectMode = MulticonnectMode.MULTICONNECT,
    ) -> None:
        """Connect every route of `spec`, or none of them (raises `RouteError` or the switch's
        error, after undoing whatever this call had closed)."""
        with self._lock:
            planned = copy.deepcopy(self._state)
            new_routes: list[ActiveRoute] = []
            for request in self._parse(spec):
                existing = self._active(request, planned)
                if existing is not None:
                    if mode is MulticonnectMode.NO_MULTICONNECT:
                        self._refuse(
                            request.label,
                            PathCapability.PATH_EXISTS,
                            f"already connected as {existing.label} (no multiconnect)",
                        )
                    existing.count += 1
                    existing.owners.append(owner)
                    continue
                answer = self._lookup(request, planned)
                if answer.capability is not PathCapability.PATH_AVAILABLE or not answer.path:
                    self._refuse(request.label, answer.capability, answer.reason)
                new_routes.append(self._add(planned, request, answer.path, owner))
            self._close(new_routes)
            self._state = planned

    def disconnect(self, spec: str) -> None:
        """Release one reference to each route of `spec`; relays open when none is left."""
        with self._lock:
            planned = copy.deepcopy(self._state)
            releasing: list[ActiveRoute] = []
            for request in self._parse(spec):
                existing = self._active(request, planned)
                if existing is None:
                    self._refuse(request.label, PathCapability.PATH_UNSUPPORTED, "not connected")
                existing.count -= 1
                if existing.owners:
                    existing.owners.pop()
                if existing.count == 0:
                    del planned.routes[_key(existing.a, existing.b)]
                    releasing.append(existing)
            self._open([relay for route in releasing for relay in route.relays])
            self._state = planned

    def connect_and_disconnect(
        self,
        connect_spec: str,
        disconnect_spec: str,
        *,
        order: OperationOrder = OperationOrder.BREAK_BEFORE_MAKE,
        owner: str = "",
    ) -> None:
        """Swap routes in the given order. Break-before-make never lets the old and new paths
        touch; make-before-break keeps a load connected throughout (the new routes must then
        be possible alongside the old ones)."""
        with self._lock:
            if order is OperationOrder.BREAK_BEFORE_MAKE:
                self.disconnect(disconnect_spec)
                self.connect(connect_spec, owner=owner)
            else:
                self.connect(connect_spec, owner=owner)
                self.disconnect(disconnect_spec)

    def disconnect_all(self) -> None:
        """Open every relay the manager closed, whatever the reference counts."""
        with self._lock:
            relays = sorted(self.closed_relays())
            self._open(relays)
            self._state = _State()

    @contextmanager
    def connected(self, spec: str, *, owner: str = "") -> Iterator[None]:
        """Routes held for the duration of a block (disconnected even if the block fails)."""
        self.connect(spec, owner=owner)
        try:
            yield
        finally:
            self.disconnect(spec)

    # -- internals -------------------------------------------------------------------------------
    def _parse(self, spec: str) -> list[RouteRequest]:
        try:
            return parse_route_spec(spec, self.topology)
        except RouteSpecError as error:
            self._refuse(spec, PathCapability.PATH_UNSUPPORTED, str(error))

    def _refuse(self, label: str, capability: PathCapability, reason: str) -> NoReturn:
        self.refusals += 1
        raise RouteError(label, capability, reason)

    def _active(self, request: RouteRequest, state: _State) -> ActiveRoute | None:
        a = self.topology.channel_of(request.a)
        b = self.topology.channel_of(request.b)
        if a is None or b is None:
            return None
        return state.routes.get(_key(a, b))

    def _add(
        self, state: _State, request: RouteRequest, path: tuple[str, ...], owner: str
    ) -> ActiveRoute:
        route = ActiveRoute(
            label=request.label,
            a=path[0],
            b=path[-1],
            path=path,
            relays=self.topology.relays_of(path),
            owners=[owner],
        )
        state.routes[_key(path[0], path[-1])] = route
        return route

    def _lookup(self, request: RouteRequest, state: _State) -> RouteLookup:
        topology = self.topology
        label = request.label

        def answer(capability: PathCapability, reason: str) -> RouteLookup:
            return RouteLookup(label, capability, None, reason)

        a, b = topology.channel_of(request.a), topology.channel_of(request.b)
        for name, channel in ((request.a, a), (request.b, b)):
            if channel is None:
                return answer(PathCapability.PATH_UNSUPPORTED, f"no endpoint or channel {name}")
        assert a is not None
        assert b is not None
        if a == b:
            return answer(PathCapability.PATH_UNSUPPORTED, f"{request.a} is both ends")
        for name, channel in ((request.a, a), (request.b, b)):
            if channel in topology.reserved:
                return answer(
                    PathCapability.CHANNEL_NOT_AVAILABLE,
                    f"{name} is reserved for routing and cannot be an endpoint",
                )
        existing = state.routes.get(_key(a, b))
        if existing is not None:
            return RouteLookup(
                label, PathCapability.PATH_EXISTS, existing.path, f"connected as {existing.label}"
            )
        joined = state.net(a) | state.net(b)
        sources = sorted(topology.label(ch) for ch in joined if topology.is_source(ch))
        if len(sources) > 1:
            return answer(
                PathCapability.SOURCE_CONFLICT,
                f"would put sources {' and '.join(sources)} on one net"
                + self._held_by(state, a, b),
            )
        violated = self._exclusion(joined, state, a, b)
        if violated:
            return answer(PathCapability.EXCLUSION_CONFLICT, violated)
        for name, channel in ((request.a, a), (request.b, b)):
            holder = state.holder(channel)
            if holder is not None:
                return answer(
                    PathCapability.RESOURCE_IN_USE,
                    f"{name} is in use by route {holder.label} ({_owners(holder)})",
                )
        if request.via is not None:
            return self._explicit(request, state)
        path = self._search(a, b, state, free_only=True)
        if path is not None:
            return RouteLookup(label, PathCapability.PATH_AVAILABLE, path, "available")
        if self._search(a, b, _State(), free_only=True) is not None:
            busy = sorted(
                {
                    f"{ch} by {state.holder(ch).label}"  # type: ignore[union-attr]
                    for ch in topology.reserved
                    if state.holder(ch) is not None
                }
            )
            return answer(
                PathCapability.RESOURCE_IN_USE,
                "every routing channel on the way is in use: " + ", ".join(busy),
            )
        return answer(
            PathCapability.PATH_UNSUPPORTED,
            f"no path from {request.a} to {request.b} through channels reserved for routing",
        )

    def _held_by(self, state: _State, *channels: str) -> str:
        held = [state.holder(channel) for channel in channels]
        named = [f"{route.label} ({_owners(route)})" for route in held if route is not None]
        return f" (connected: {', '.join(named)})" if named else ""

    def _exclusion(self, joined: set[str], state: _State, a: str, b: str) -> str | None:
        topology = self.topology
        for exclusion in self.topology.exclusions:
            first = {topology.channel_of(name) for name in exclusion.a}
            if exclusion.kind is ExclusionKind.MUTUAL:
                second = {topology.channel_of(name) for name in exclusion.b}
                if joined & first and joined & second:
                    return (
                        f"exclusion {exclusion.name}: {', '.join(sorted(exclusion.a))} may not "
                        f"share a net with {', '.join(sorted(exclusion.b))}"
                    )
            else:
                if not ({a, b} & first):
                    continue
                connected = {ch for ch in first if ch and state.holder(ch) is not None}
                if connected - {a, b}:
                    names = ", ".join(sorted(topology.label(ch) for ch in connected if ch))
                    return f"exclusion {exclusion.name}: only one of its set at a time ({names})"
        return None

    def _explicit(self, request: RouteRequest, state: _State) -> RouteLookup:
        assert request.via is not None
        topology = self.topology
        channels = [topology.channel_of(hop) for hop in request.via]
        if any(channel is None for channel in channels):
            return RouteLookup(
                request.label,
                PathCapability.PATH_UNSUPPORTED,
                None,
                f"unknown channel in {'->'.join(request.via)}",
            )
        path = tuple(ch for ch in channels if ch is not None)
        for first, second in itertools.pairwise(path):
            if first[0] == second[0]:
                return RouteLookup(
                    request.label,
                    PathCapability.PATH_UNSUPPORTED,
                    None,
                    f"no relay joins {first} and {second}",
                )
        for middle in path[1:-1]:
            if middle not in topology.reserved:
                return RouteLookup(
                    request.label,
                    PathCapability.CHANNEL_NOT_AVAILABLE,
                    None,
                    f"{middle} is not reserved for routing",
                )
            holder = state.holder(middle)
            if holder is not None:
                return RouteLookup(
                    request.label,
                    PathCapability.RESOURCE_IN_USE,
                    None,
                    f"{middle} is in use by route {holder.label} ({_owners(holder)})",
                )
        return RouteLookup(request.label, PathCapability.PATH_AVAILABLE, path, "available")

    def _search(self, a: str, b: str, state: _State, *, free_only: bool) -> tuple[str, ...] | None:
        """Shortest path whose middle channels are reserved for routing (and free)."""
        topology = self.topology
        queue: deque[tuple[str, ...]] = deque([(a,)])
        seen = {a}
        while queue:
            path = queue.popleft()
            here = path[-1]
            neighbours = (
                [f"c{c}" for c in range(1, topology.columns + 1)]
                if here.startswith("r")
                else [f"r{r}" for r in range(1, topology.rows + 1)]
            )
            for nxt in neighbours:
                if nxt == b:
                    return (*path, b)
                if nxt in seen or nxt not in topology.reserved:
                    continue
                if free_only and state.holder(nxt) is not None:
                    continue
                seen.add(nxt)
                queue.append((*path, nxt))
        return None

    def _close(self, routes: list[ActiveRoute]) -> None:
        touched: list[int] = []
        try:
            if routes and self._break_pending:
                self._switch.wait_complete()  # break-before-make: earlier opens have settled
                self._break_pending = False
            for route in routes:
                touched.extend(route.relays)  # before the command: it may close some and fail
                self._switch.close_channels(list(route.relays))
            if routes:
                self._switch.wait_complete()  # debounce before anyone measures through them
        except TestbenchError:
            if touched:
                self._undo(touched)
            raise

    def _undo(self, relays: list[int]) -> None:
        try:
            self._switch.open_channels(sorted(set(relays)))
            self._switch.wait_complete()
            self._break_pending = False
        except TestbenchError as error:
            raise RouteError(
                "undo",
                PathCapability.RESOURCE_IN_USE,
                f"could not reopen relays {sorted(set(relays))} after a failed connect: {error}",
            ) from error

    def _open(self, relays: list[int]) -> None:
        if relays:
            self._switch.open_channels(sorted(set(relays)))
            self._break_pending = True  # the next connect waits for it before any make


def _owners(route: ActiveRoute) -> str:
    owners = [owner for owner in route.owners if owner]
    return "held by " + ", ".join(owners) if owners else "held"
