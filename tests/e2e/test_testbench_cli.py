"""`journey testbench ...` as an operator meets it: simulate, idn, run; bad input fails cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from journey.testbench.station import default_station_path

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


def journey(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JOURNEY, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def station_on_free_ports(tmp_path: Path) -> Path:
    text = default_station_path().read_text(encoding="utf-8")
    for old, new in zip(range(55025, 55030), free_ports(5), strict=True):
        text = text.replace(f"::{old}::", f"::{new}::")
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def simulated(tmp_path: Path) -> Iterator[Path]:
    station = station_on_free_ports(tmp_path)
    process = subprocess.Popen(
        [JOURNEY, "testbench", "simulate", "--station", str(station), "--fast", "--seed", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while journey("testbench", "idn", "--station", str(station), "--timeout", "0.5").returncode:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(process.stderr.read() if process.stderr else "no output")
            time.sleep(0.2)
        yield station
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_run_on_simulators_prints_every_verdict_and_a_summary_as_json() -> None:
    result = journey("testbench", "run", "--cards", "6", "--sites", "2", "--fast", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["cards"] == 6
    assert summary["passed"] + summary["failed"] + summary["errors"] == 6
    assert summary["errors"] == 0
    assert summary["cards_per_min"] > 0
    assert summary["accuracy"] == 1.0
    assert summary["max_f0_error_pct"] < 0.5
    assert len(summary["verdicts"]) == 6
    assert {v["position"] for v in summary["verdicts"]} == {1, 2}


def test_a_run_prints_a_table_and_the_summary_line() -> None:
    result = journey("testbench", "run", "--cards", "3", "--fast", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "C0005-00001" in result.stdout
    for key in ("cards=3", "passed=", "failed=", "cards_per_min=", "accuracy="):
        assert key in result.stdout


def test_idn_lists_the_simulated_instruments_and_run_drives_them_from_outside(
    simulated: Path,
) -> None:
    result = journey("testbench", "idn", "--station", str(simulated))
    assert result.returncode == 0, result.stderr
    for model in ("34980A-SIM", "VSG-SIM", "SA-SIM", "VNA-SIM", "HANDLER-SIM"):
        assert model in result.stdout
    run = journey(
        "testbench",
        "run",
        "--external",
        "--station",
        str(simulated),
        "--cards",
        "4",
        "--sites",
        "2",
        "--json",
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["cards"] == 4
    assert summary["accuracy"] is None  # the truth lives in the simulator's process


def test_idn_says_which_instruments_did_not_answer(tmp_path: Path) -> None:
    result = journey(
        "testbench", "idn", "--station", str(station_on_free_ports(tmp_path)), "--timeout", "0.3"
    )
    assert result.returncode == 1
    assert "unreachable" in result.stdout
    assert "did not answer" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--sites", "9", "--fast"], "has 4 fixture positions"),
        (["run", "--station", "/nonexistent/station.toml"], "does not exist"),
        (["run", "--cards", "0"], "--cards"),
        (["run", "--defect-rate", "2"], "--defect-rate"),
        (["idn", "--station", "/nonexistent/station.toml"], "does not exist"),
    ],
)
def test_bad_input_gives_a_clear_message_and_a_non_zero_exit(args: list[str], message: str) -> None:
    result = journey("testbench", *args)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_malformed_station_file_is_reported_with_the_key(tmp_path: Path) -> None:
    text = default_station_path().read_text(encoding="utf-8").replace('kind = "sa"', 'kind = "x"')
    station = tmp_path / "bad.toml"
    station.write_text(text, encoding="utf-8")
    result = journey("testbench", "run", "--station", str(station))
    assert result.returncode == 2
    assert "instruments.sa.kind" in result.stderr
    assert "Traceback" not in result.stderr
