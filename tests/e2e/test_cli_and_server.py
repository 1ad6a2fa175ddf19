"""The two entry points as a user meets them: `journey serve` over HTTP, and the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "JOURNEY_EVENT_STORE": f"sqlite:///{tmp_path}/journey.db",
        "JOURNEY_KEY_STORE": f"sqlite:///{tmp_path}/keys.db",
        "JOURNEY_LOG_FORMAT": "json",
        "JOURNEY_SMTP_PORT": "0",  # the SMTP sink on a free port
        **extra,
    }


def journey(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JOURNEY, *args],
        env=env_for(tmp_path, **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [JOURNEY, "serve", "--port", str(port)],
        env=env_for(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_server_answers_health_readiness_and_metrics(server: str) -> None:
    assert httpx.get(f"{server}/health").json()["status"] == "ok"
    ready = httpx.get(f"{server}/ready").json()
    assert ready["status"] == "ready"
    metrics = httpx.get(f"{server}/metrics").text
    assert "journey_events_position" in metrics
    assert 'journey_consumer_lag{consumer="stream_catalog"}' in metrics
    assert httpx.get(f"{server}/openapi.json").json()["info"]["title"] == "Customer Journey"


def test_projections_are_listed_and_rebuilt_from_the_cli(tmp_path: Path) -> None:
    listed = journey(tmp_path, "projections", "list")
    assert listed.returncode == 0, listed.stderr
    assert "stream_catalog" in listed.stdout
    assert "saga_monitor" in listed.stdout
    rebuilt = journey(tmp_path, "projections", "rebuild", "stream_catalog")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuilt stream_catalog" in rebuilt.stdout


def test_an_unknown_projection_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    result = journey(tmp_path, "projections", "rebuild", "nope")
    assert result.returncode == 1
    assert "no projection named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_dead_letters_are_listed_and_an_unknown_one_is_a_clear_error(tmp_path: Path) -> None:
    listed = journey(tmp_path, "dead-letters", "list")
    assert listed.returncode == 0, listed.stderr
    assert "no dead letters" in listed.stdout
    missing = journey(tmp_path, "dead-letters", "redrive", "nothing-here")
    assert missing.returncode == 1
    assert "no dead letter nothing-here" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_invalid_settings_are_reported_without_a_traceback(tmp_path: Path) -> None:
    result = journey(tmp_path, "projections", "list", JOURNEY_EVENT_STORE="mysql://nope")
    assert result.returncode == 2
    assert "unsupported store" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_store_path_is_reported_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = journey(
        tmp_path, "projections", "list", JOURNEY_EVENT_STORE="sqlite:///blocker/journey.db"
    )
    assert result.returncode == 1
    assert "cannot open the store" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_prints_one_json_summary_with_its_invariants(tmp_path: Path) -> None:
    result = journey(tmp_path, "demo", "--customers", "6", "--json", "--store", "memory")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["customers"] == 6
    assert summary["invariants_ok"] is True
    assert summary["stuck"] == 0


def test_the_demo_refuses_an_unknown_store_with_a_clear_message(tmp_path: Path) -> None:
    result = journey(tmp_path, "demo", "--customers", "2", "--store", "postgres")
    assert result.returncode == 2
    assert "--store must be sqlite or memory" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_journey_benchmark_reports_every_figure_as_json(tmp_path: Path) -> None:
    result = journey(tmp_path, "bench", "journey", "--runs", "1", "--customers", "3", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["invariants_ok"] is True
    assert figures["activated_share"] > 0
    for key in (
        "journeys_per_s",
        "p99_journey_ms",
        "commands_per_journey",
        "kernel_commands_per_s",
        "ratio_to_target",
    ):
        assert figures[key] > 0, key
