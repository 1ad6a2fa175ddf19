"""The API's command-line parts as a user meets them: `journey token`, `journey serve` with the
tokens it prints and an event stream open when it stops, and `journey bench http`."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from journey.settings import DEVELOPMENT_SIGNING_KEY
from tests.e2e.test_cli_and_server import JOURNEY, env_for, free_port, journey

pytestmark = pytest.mark.slow


def test_journey_token_prints_a_token_for_the_roles_asked(tmp_path: Path) -> None:
    result = journey(tmp_path, "token", "--role", "operator", "--subject", "olga", "--ttl", "5")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(
        result.stdout.strip(), DEVELOPMENT_SIGNING_KEY, algorithms=["HS256"], issuer="urn:journey"
    )
    assert claims["sub"] == "olga"
    assert claims["roles"] == ["operator"]
    assert claims["exp"] - claims["iat"] == 300
    assert "development key" in result.stderr


def test_journey_token_names_a_customer_by_national_id_and_refuses_nonsense(
    tmp_path: Path,
) -> None:
    from journey.query_side.subjects import subject_key

    customer = journey(
        tmp_path, "token", "--role", "customer", "--country", "CL", "--national-id", "12345678-5"
    )
    assert customer.returncode == 0, customer.stderr
    claims = jwt.decode(customer.stdout.strip(), options={"verify_signature": False})
    assert claims["sub"] == subject_key("CL", "12345678-5")
    unknown = journey(tmp_path, "token", "--role", "admin")
    assert unknown.returncode == 2
    assert "unknown role" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    short_key = journey(
        tmp_path, "token", "--role", "operator", JOURNEY_AUTH_SIGNING_KEY="too-short"
    )
    assert short_key.returncode == 2
    assert "at least 32 bytes" in " ".join(short_key.stderr.split())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
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
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


def test_the_server_takes_printed_tokens_and_stops_with_an_event_stream_open(
    tmp_path: Path, server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    base, process = server
    token = journey(tmp_path, "token", "--role", "operator").stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{base}/stock", headers=headers).status_code == 200
    assert httpx.get(f"{base}/stock").status_code == 401
    dev = httpx.post(f"{base}/auth/dev-token", json={"role": "analyst", "subject": "ana"})
    assert dev.status_code == 200  # on by default with the development key

    customer = journey(
        tmp_path, "token", "--role", "customer", "--country", "CL", "--national-id", "12345678-5"
    ).stdout.strip()
    from journey.query_side.population import default_population

    who = next(p for p in default_population().people if p.country == "CL")
    from journey.demo.applicants import application_for
    from journey.query_side.subjects import subject_key

    body = application_for(
        who, application_id="app-e2e", product_code="CLASSIC", design_code="classic-blue"
    ).model_dump(mode="json", exclude={"customer_id"})
    mine = journey(
        tmp_path,
        "token",
        "--role",
        "customer",
        "--subject",
        subject_key(who.country, who.national_id),
    ).stdout.strip()
    assert customer
    submitted = httpx.post(
        f"{base}/applications", json=body, headers={"Authorization": f"Bearer {mine}"}
    )
    assert submitted.status_code == 202, submitted.text

    with (
        httpx.Client(base_url=base, timeout=10) as client,
        client.stream("GET", "/applications/app-e2e/events", headers=headers) as stream,
    ):
        lines = stream.iter_lines()
        assert any(line.startswith("data:") for line in lines)
        began = time.monotonic()
        process.terminate()
        for _ in lines:  # the server ends the stream as it shuts down
            pass
    # uvicorn re-raises the signal once it has shut down gracefully: -15 is the clean exit.
    assert process.wait(timeout=20) in (0, -15)
    assert time.monotonic() - began < 15
    log = process.stderr.read().decode() if process.stderr else ""
    assert "Application shutdown complete" in log
    assert "DEVELOPMENT signing key" in log
    assert who.national_id not in log
    assert "Traceback" not in log


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench-tools)")
def test_the_http_benchmark_runs_at_toy_size_and_reports_its_figures(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            JOURNEY,
            "bench",
            "http",
            "--runs",
            "1",
            "--requests",
            "20",
            "--clients",
            "4",
            "--json",
        ],
        env=env_for(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    for key in (
        "command_per_s",
        "bare_per_s",
        "ratio",
        "query_p99_ms",
        "query_per_s",
        "bare_query_paced_p99_ms",
        "applications_through_per_s",
        "bare_durable_per_s",
        "ratio_vs_bare_durable",
    ):
        assert figures[key] > 0, key
    assert figures["errors"] == 0


def test_the_http_benchmark_without_wrk_says_how_to_install_it_and_exits_non_zero(
    tmp_path: Path,
) -> None:
    no_wrk = tmp_path / "bin"  # a PATH where no wrk is found
    no_wrk.mkdir()
    result = journey(tmp_path, "bench", "http", "--runs", "1", PATH=str(no_wrk))
    assert result.returncode != 0
    assert "wrk" in result.stderr
    assert "make bench-tools" in result.stderr
    assert "Traceback" not in result.stderr
