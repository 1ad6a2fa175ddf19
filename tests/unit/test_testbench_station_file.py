"""Station files: the packaged one loads; a broken one says what is wrong and where."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from journey.testbench.errors import StationConfigError
from journey.testbench.station import default_station_path, load_station, parse_station


def packaged() -> dict[str, Any]:
    return tomllib.loads(default_station_path().read_text(encoding="utf-8"))


def test_the_packaged_station_describes_four_positions_and_their_routes() -> None:
    config = load_station()
    assert sorted(config.positions) == [1, 2, 3, 4]
    assert config.positions[3].routes == {"resonance": "P3_PROBE", "field": "P3_FIELD"}
    assert config.topology.groups["P2_FIELD"] == ("P2_DRIVE", "P2_LISTEN")
    assert config.limits["minimum_operating_field"].high == 1.5
    assert config.instrument("vna").address.endswith("::SOCKET")
    moved = config.with_addresses({"vna": "TCPIP0::10.0.0.9::5025::SOCKET"})
    assert moved.instrument("vna").address == "TCPIP0::10.0.0.9::5025::SOCKET"
    assert moved.instrument("sa").address == config.instrument("sa").address


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["instruments"].pop("sa"), "exactly one sa"),
        (lambda d: d["instruments"]["vna"].update(kind="scope"), "instruments.vna.kind"),
        (lambda d: d["instruments"]["vna"].update(address="10.0.0.1"), "not a VISA resource"),
        (lambda d: d["positions"][0].update(field_route="NOPE"), "field_route 'NOPE'"),
        (lambda d: d["limits"]["resonance_frequency"].update(units="kHz"), "measures 'Hz'"),
        (lambda d: d["limits"]["quality_factor"].update(low=60.0), "above high"),
        (lambda d: d["switch"]["endpoints"]["VNA"].update(channel="r1"), "reserved for routing"),
        (lambda d: d["switch"].pop("rows"), "switch.rows is missing"),
        (lambda d: d["test"]["field"].update(reference_field=9.0), "reference_field"),
        (lambda d: d["test"]["field"].update(bogus=1.0), "test.field.bogus is not a setting"),
        (lambda d: d["station"].update(timeout_s="fast"), "station.timeout_s must be a number"),
    ],
)
def test_a_broken_station_file_is_refused_naming_the_problem(change: Any, message: str) -> None:
    data = packaged()
    change(data)
    with pytest.raises(StationConfigError, match=message):
        parse_station(data)


def test_a_missing_or_malformed_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StationConfigError, match="does not exist"):
        load_station(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[station\nid=1", encoding="utf-8")
    with pytest.raises(StationConfigError, match="not valid TOML"):
        load_station(bad)
