"""The query side's commands as a user meets them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.query_side import POPULATION
from tests.support.servers import free_port

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


def journey(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JOURNEY, *args], capture_output=True, text=True, timeout=60, check=False)


def test_validate_id_prints_json_and_exits_non_zero_for_an_invalid_id() -> None:
    ok = journey("validate-id", "--country", "CL", "76086428-5", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {
        "valid": True,
        "country": "CL",
        "document": "RUT",
        "normalized": "76.086.428-5",
        "reason": None,
        "has_check_digit": True,
    }
    bad = journey("validate-id", "--country", "BR", "111.111.111-11", "--json")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["reason"] == "a CPF of one repeated digit is never issued"


def test_validate_id_asks_the_registry_when_told_to() -> None:
    person = POPULATION.sample(country="EC", registry_status="DECEASED")
    result = journey("validate-id", "--country", "EC", person.national_id, "--registry", "--json")
    assert json.loads(result.stdout)["registry_status"] == "DECEASED"


def test_bad_input_to_validate_id_is_a_message_and_exit_code_not_a_traceback() -> None:
    result = journey("validate-id", "--country", "US", "123")
    assert result.returncode == 2
    assert "not supported" in result.stderr
    assert "Traceback" not in result.stderr
    missing = journey("validate-id", "123")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr


def test_the_simulators_serve_over_http_until_stopped() -> None:
    port = free_port()
    process = subprocess.Popen(
        [JOURNEY, "simulators", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.1)
        person = POPULATION.sample(country="AR", registry_status="VALID")
        answer = httpx.post(
            f"http://127.0.0.1:{port}/registry/lookup",
            json={"country": "AR", "national_id": person.national_id},
        )
        assert answer.status_code == 200
        assert answer.json()["status"] == "VALID"
    finally:
        process.terminate()
        process.wait(timeout=10)
