"""The station file: instruments and their addresses, the switch matrix, fixture positions,
routes, limits and test settings, in TOML (read with the standard library's `tomllib`).

See `docs/testbench.md` for the format; `stations/loopback.toml` is the packaged example, wired
for the simulated instruments that `journey testbench simulate` serves on loopback.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as _field
from importlib import resources
from pathlib import Path
from typing import Any

from journey.testbench.errors import StationConfigError
from journey.testbench.sequences.measurements import Limit
from journey.testbench.switching.model import Endpoint, Exclusion, ExclusionKind, Topology

DEFAULT_STATION = "loopback.toml"
INSTRUMENT_KINDS = ("switch", "vsg", "sa", "vna", "handler")
WIRED_KINDS = ("vna", "vsg", "sa", "antenna", "sense")
MEASUREMENTS = {
    "resonance_frequency": "Hz",
    "quality_factor": "",
    "load_modulation_sideband": "dBm",
    "minimum_operating_field": "A/m",
    "operates_at_max_field": "",
}
ROUTE_KEYS = ("resonance", "field")


@dataclass(frozen=True, slots=True)
class InstrumentConfig:
    name: str
    kind: str
    address: str
    timeout_s: float = 2.0


@dataclass(frozen=True, slots=True)
class WiredPort:
    """What an endpoint is physically cabled to (the simulator builds its bench from this)."""

    kind: str
    position: int | None = None


@dataclass(frozen=True, slots=True)
class PositionConfig:
    number: int
    field_factor: float  # calibrated A/m at the card per sqrt(mW) of generator output
    routes: Mapping[str, str]  # "resonance" / "field" -> route spec


@dataclass(frozen=True, slots=True)
class ResonanceSettings:
    start_hz: float = 10e6
    stop_hz: float = 20e6
    points: int = 401
    ifbw_hz: float = 1e3
    power_dbm: float = -10.0
    method: str = "trace"  # "trace": our R/2 analysis; "marker": the VNA's bandwidth search


@dataclass(frozen=True, slots=True)
class FieldSettings:
    carrier_hz: float = 13.56e6
    span_hz: float = 2e6
    rbw_hz: float = 10e3
    points: int = 1001
    reference_field: float = 3.0  # A/m where load modulation is measured
    max_field: float = 7.5  # A/m the card must survive and answer at
    search_low: float = 0.4  # A/m, lowest field of the Hmin search
    resolution: float = 0.1  # A/m, Hmin search step up to `coarse_above`
    coarse_above: float = 1.5  # A/m; above it (well past the limit) the search steps coarsely
    coarse_resolution: float = 0.5
    am_depth_pct: float = 10.0  # reader commands: 10 % ASK (Type B)
    am_rate_hz: float = 1e3
    detect_dbm: float = -75.0  # a sideband above this is an answering card
    carrier_min_dbm: float = -85.0  # below this the field is not reaching the sense coil
    max_power_dbm: float = 20.0


@dataclass(frozen=True, slots=True)
class SequenceSettings:
    repeat_limit: int = 2  # attempts per phase when a measurement fails
    stop_on_fail: bool = False


@dataclass(frozen=True, slots=True)
class HandlerSettings:
    timeout_s: float = 10.0
    poll_s: float = 0.01


@dataclass(frozen=True)
class StationConfig:
    station_id: str
    instruments: Mapping[str, InstrumentConfig]
    switch_instrument: str
    topology: Topology
    wiring: Mapping[str, WiredPort]  # endpoint name -> what it is cabled to
    positions: Mapping[int, PositionConfig]
    limits: Mapping[str, Limit]
    visa_library: str = "@py"
    resonance: ResonanceSettings = _field(default_factory=ResonanceSettings)
    field: FieldSettings = _field(default_factory=FieldSettings)
    sequence: SequenceSettings = _field(default_factory=SequenceSettings)
    handler: HandlerSettings = _field(default_factory=HandlerSettings)
    records_dir: Path | None = None

    def instrument(self, kind: str) -> InstrumentConfig:
        for config in self.instruments.values():
            if config.kind == kind:
                return config
        raise StationConfigError(f"the station has no {kind} instrument")

    def with_addresses(self, addresses: Mapping[str, str]) -> StationConfig:
        """The same station with some instruments at other addresses (simulators on free ports)."""
        unknown = set(addresses) - set(self.instruments)
        if unknown:
            raise StationConfigError(f"no instruments named {sorted(unknown)}")
        instruments = {
            name: replace(config, address=addresses.get(name, config.address))
            for name, config in self.instruments.items()
        }
        return replace(self, instruments=instruments)

    def with_changes(self, **changes: Any) -> StationConfig:
        return replace(self, **changes)


# -- loading ---------------------------------------------------------------------------------------
def default_station_path() -> Path:
    return Path(str(resources.files("journey.testbench.stations").joinpath(DEFAULT_STATION)))


def load_station(path: Path | str | None = None) -> StationConfig:
    """Read and check a station file (the packaged loopback station when `path` is None)."""
    file = Path(path) if path is not None else default_station_path()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StationConfigError(f"station file {file} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StationConfigError(f"cannot read station file {file}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise StationConfigError(f"{file} is not valid TOML: {error}") from None
    try:
        return parse_station(data)
    except StationConfigError as error:
        raise StationConfigError(f"{file}: {error}") from None


def parse_station(data: Mapping[str, Any]) -> StationConfig:
    reader = _Reader(data, "")
    station = reader.table("station")
    instruments = _instruments(reader.table("instruments"), station.number("timeout_s", 2.0))
    switch = reader.table("switch")
    switch_name = switch.text("instrument")
    if instruments.get(switch_name, None) is None or instruments[switch_name].kind != "switch":
        raise StationConfigError(f"switch.instrument {switch_name!r} is not a switch instrument")
    topology, wiring = _topology(switch)
    positions = _positions(reader.tables("positions"), topology)
    limits = _limits(reader.table("limits"))
    test = reader.table("test", required=False)
    records = station.text("records_dir", "")
    config = StationConfig(
        station_id=station.text("id"),
        instruments=instruments,
        switch_instrument=switch_name,
        topology=topology,
        wiring=wiring,
        positions=positions,
        limits=limits,
        visa_library=station.text("visa_library", "@py"),
        resonance=test.table("resonance", required=False).build(ResonanceSettings),
        field=test.table("field", required=False).build(FieldSettings),
        sequence=test.table("sequence", required=False).build(SequenceSettings),
        handler=test.table("handler", required=False).build(HandlerSettings),
        records_dir=Path(records) if records else None,
    )
    _check(config)
    return config


def _instruments(table: _Reader, timeout_s: float) -> dict[str, InstrumentConfig]:
    found: dict[str, InstrumentConfig] = {}
    for name in table.names():
        entry = table.table(name)
        kind = entry.text("kind")
        if kind not in INSTRUMENT_KINDS:
            raise StationConfigError(f"{entry.where}.kind must be one of {INSTRUMENT_KINDS}")
        address = entry.text("address")
        if not address.upper().startswith(("TCPIP", "GPIB", "USB", "ASRL")):
            raise StationConfigError(f"{entry.where}.address {address!r} is not a VISA resource")
        found[name] = InstrumentConfig(name, kind, address, entry.number("timeout_s", timeout_s))
    for kind in INSTRUMENT_KINDS:
        if sum(1 for config in found.values() if config.kind == kind) != 1:
            raise StationConfigError(f"the station needs exactly one {kind} instrument")
    return found


def _topology(switch: _Reader) -> tuple[Topology, dict[str, WiredPort]]:
    endpoints: dict[str, Endpoint] = {}
    wiring: dict[str, WiredPort] = {}
    table = switch.table("endpoints")
    for name in table.names():
        entry = table.table(name)
        endpoints[name] = Endpoint(name, entry.text("channel"), entry.flag("source", False))
        wired = entry.text("wired_to")
        if wired not in WIRED_KINDS:
            raise StationConfigError(f"{entry.where}.wired_to must be one of {WIRED_KINDS}")
        position = entry.integer("position", 0) or None
        if (position is None) != (wired in ("vna", "vsg", "sa")):
            raise StationConfigError(f"{entry.where}: fixture coils need a position, others none")
        wiring[name] = WiredPort(wired, position)
    exclusions = []
    for entry in switch.tables("exclusions", required=False):
        kind = entry.text("kind")
        if kind not in ("mutual", "set"):
            raise StationConfigError(f"{entry.where}.kind must be mutual or set")
        exclusions.append(
            Exclusion(
                entry.text("name"),
                ExclusionKind(kind),
                frozenset(entry.texts("a")),
                frozenset(entry.texts("b", [])),
            )
        )
    routes = switch.table("routes", required=False)
    groups = switch.table("route_groups", required=False)
    try:
        topology = Topology(
            slot=switch.integer("slot"),
            rows=switch.integer("rows"),
            columns=switch.integer("columns"),
            endpoints=endpoints,
            reserved=frozenset(switch.texts("reserved_for_routing")),
            routes={name: routes.text(name) for name in routes.names()},
            groups={name: tuple(groups.texts(name)) for name in groups.names()},
            exclusions=tuple(exclusions),
        )
    except ValueError as error:
        raise StationConfigError(f"switch: {error}") from None
    return topology, wiring


def _positions(entries: list[_Reader], topology: Topology) -> dict[int, PositionConfig]:
    positions: dict[int, PositionConfig] = {}
    for entry in entries:
        number = entry.integer("number")
        if number in positions:
            raise StationConfigError(f"position {number} is defined twice")
        routes = {}
        for key in ROUTE_KEYS:
            spec = entry.text(f"{key}_route")
            if spec not in topology.routes and spec not in topology.groups:
                raise StationConfigError(f"{entry.where}.{key}_route {spec!r} is not defined")
            routes[key] = spec
        factor = entry.number("field_factor")
        if factor <= 0:
            raise StationConfigError(f"{entry.where}.field_factor must be positive")
        positions[number] = PositionConfig(number, factor, routes)
    if not positions:
        raise StationConfigError("the station needs at least one [[positions]] entry")
    return dict(sorted(positions.items()))


def _limits(table: _Reader) -> dict[str, Limit]:
    limits: dict[str, Limit] = {}
    for name, units in MEASUREMENTS.items():
        entry = table.table(name)
        given = entry.text("units", units)
        if given != units:
            raise StationConfigError(
                f"{entry.where}.units is {given!r}; this test measures {units!r}"
            )
        try:
            limits[name] = Limit(
                low=entry.optional_number("low"),
                high=entry.optional_number("high"),
                marginal_low=entry.optional_number("marginal_low"),
                marginal_high=entry.optional_number("marginal_high"),
                expected=entry.optional_flag("equals"),
            )
        except ValueError as error:
            raise StationConfigError(f"{entry.where}: {error}") from None
    extra = set(table.names()) - set(MEASUREMENTS)
    if extra:
        raise StationConfigError(f"limits for unknown measurements {sorted(extra)}")
    return limits


def _check(config: StationConfig) -> None:
    wired = {(port.kind, port.position) for port in config.wiring.values()}
    for number in config.positions:
        for kind in ("antenna", "sense"):
            if (kind, number) not in wired:
                raise StationConfigError(f"position {number} has no {kind} endpoint")
    if config.resonance.method not in ("trace", "marker"):
        raise StationConfigError("test.resonance.method must be trace or marker")
    if config.sequence.repeat_limit < 1:
        raise StationConfigError("test.sequence.repeat_limit must be at least 1")
    settings = config.field
    if not 0 < settings.search_low < settings.reference_field < settings.max_field:
        raise StationConfigError("test.field needs 0 < search_low < reference_field < max_field")
    if settings.resolution <= 0 or settings.coarse_resolution <= 0:
        raise StationConfigError("test.field resolutions must be positive")
    if not settings.search_low <= settings.coarse_above <= settings.reference_field:
        raise StationConfigError("test.field needs search_low <= coarse_above <= reference_field")


class _Reader:
    """Typed access to a TOML table that names the key in every complaint."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def names(self) -> list[str]:
        return list(self.data)

    def _get(self, key: str, default: Any, kinds: tuple[type, ...], what: str) -> Any:
        if key not in self.data:
            if default is _REQUIRED:
                raise StationConfigError(f"{self._path(key)} is missing")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in kinds:
            raise StationConfigError(f"{self._path(key)} must be {what}")
        if not isinstance(value, kinds):
            raise StationConfigError(f"{self._path(key)} must be {what}")
        return value

    def table(self, key: str, *, required: bool = True) -> _Reader:
        value = self._get(key, _REQUIRED if required else {}, (dict,), "a table")
        return _Reader(value, self._path(key))

    def tables(self, key: str, *, required: bool = True) -> list[_Reader]:
        value = self._get(key, _REQUIRED if required else [], (list,), "an array of tables")
        readers = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise StationConfigError(f"{self._path(key)}[{index}] must be a table")
            readers.append(_Reader(item, f"{self._path(key)}[{index}]"))
        return readers

    def text(self, key: str, default: Any = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default, (str,), "a string")
        return str(value)

    def texts(self, key: str, default: Any = None) -> list[str]:
        value = self._get(key, _REQUIRED if default is None else default, (list,), "a list")
        if not all(isinstance(item, str) for item in value):
            raise StationConfigError(f"{self._path(key)} must be a list of strings")
        return list(value)

    def number(self, key: str, default: Any = None) -> float:
        value = self._get(key, _REQUIRED if default is None else default, (int, float), "a number")
        return float(value)

    def optional_number(self, key: str) -> float | None:
        return None if key not in self.data else self.number(key)

    def integer(self, key: str, default: Any = None) -> int:
        value = self._get(key, _REQUIRED if default is None else default, (int,), "an integer")
        return int(value)

    def flag(self, key: str, default: Any = None) -> bool:
        value = self._get(key, _REQUIRED if default is None else default, (bool,), "true or false")
        return bool(value)

    def optional_flag(self, key: str) -> bool | None:
        return None if key not in self.data else self.flag(key)

    def build(self, cls: type[Any]) -> Any:
        """A settings dataclass from this table; unknown keys are errors, types are checked."""
        defaults = cls()
        values: dict[str, Any] = {}
        for key in self.names():
            if not hasattr(defaults, key):
                raise StationConfigError(f"{self._path(key)} is not a setting")
            current = getattr(defaults, key)
            if isinstance(current, bool):
                values[key] = self.flag(key)
            elif isinstance(current, int):
                values[key] = self.integer(key)
            elif isinstance(current, float):
                values[key] = self.number(key)
            else:
                values[key] = self.text(key)
        return cls(**values)


_REQUIRED = object()
