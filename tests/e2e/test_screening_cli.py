"""`journey screen` as an operator meets it: JSON and table output, lists chosen, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


def journey(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")}
    return subprocess.run(
        [JOURNEY, "screen", *args],
        env={**clean, "COLUMNS": "160", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_issue_example_is_a_hit_printed_as_one_json_object(tmp_path: Path) -> None:
    result = journey(tmp_path, "GONZALES PEREZ JOSE A", "--birth-date", "1968-03-14", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["outcome"] == "HIT"
    [hit] = payload["hits"]
    assert {
        "list": "OFAC-SDN",
        "entry_id": "29001",
        "name": "PEREZ GONZALEZ, Jose Antonio",
    }.items() <= hit.items()
    assert 0.92 <= hit["score"] <= 1
    assert [version["name"] for version in payload["lists"]] == [
        "OFAC-SDN",
        "UN",
        "PEP",
        "INTERNAL",
    ]


def test_a_clean_name_is_clear_and_a_table_names_the_outcome_and_the_entry(tmp_path: Path) -> None:
    clear = journey(tmp_path, "Camila Rojas Ortiz", "--country", "CL", "--json")
    assert clear.returncode == 0, clear.stderr
    assert json.loads(clear.stdout)["outcome"] == "CLEAR"
    table = journey(tmp_path, "Jose Gonzalez", "--country", "co")
    assert table.returncode == 0, table.stderr
    assert "POSSIBLE_MATCH" in table.stdout
    assert "OFAC-SDN 29001" in table.stdout


def test_the_lists_directory_comes_from_the_option_or_the_environment(tmp_path: Path) -> None:
    lists = tmp_path / "bank-lists"
    lists.mkdir()
    (lists / "internal.csv").write_text(
        "entry_id,name,birth_date\nINT-9,Ana Ríos Luna,1980-02-03\n", encoding="utf-8"
    )
    by_option = journey(tmp_path, "ANA RIOS LUNA", "--lists-dir", str(lists), "--json")
    by_env = journey(tmp_path, "ANA RIOS LUNA", "--json", JOURNEY_LISTS_DIR=str(lists))
    for result in (by_option, by_env):
        assert result.returncode == 0, result.stderr
        payload = json.loads(result.stdout)
        assert [(h["list"], h["entry_id"]) for h in payload["hits"]] == [("INTERNAL", "INT-9")]
        assert [v["name"] for v in payload["lists"]] == ["INTERNAL"]


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["   "], {}, 2, "at least one word of two letters"),
        (["Ana Rios", "--birth-date", "03/02/1980"], {}, 2, "invalid birth date '03/02/1980'"),
        (["Ana Rios", "--country", "XX"], {}, 2, "unknown country"),
        (["Ana Rios", "--gender", "X"], {}, 2, "gender"),
        (["Ana Rios", "--lists-dir", "/no/such/lists"], {}, 1, "not a directory of lists"),
        (["Ana Rios"], {"JOURNEY_SCREENING_MATCH_THRESHOLD": "2"}, 2, "invalid settings"),
    ],
)
def test_bad_input_is_a_clear_error_and_a_non_zero_exit(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    result = journey(tmp_path, *args, "--json", **env)
    assert result.returncode == code, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_malformed_list_file_is_named_with_its_line(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "pep.csv").write_text("entry_id,name,countries\nP1,Ana Rios,ZZ\n", encoding="utf-8")
    result = journey(tmp_path, "Ana Rios", "--lists-dir", str(lists))
    assert result.returncode == 1
    assert "pep.csv line 2: unknown country code(s) ZZ" in result.stderr
    assert "Traceback" not in result.stderr
