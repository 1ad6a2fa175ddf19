"""The station cannot read the simulator's hidden truth: no station module imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import journey.testbench

STATION_SIDE = (
    "instruments",
    "switching",
    "sequences",
    "runtime.py",
    "station.py",
    "multisite.py",
    "integration.py",
    "events.py",
    "errors.py",
)


def test_no_station_module_imports_the_simulators() -> None:
    root = Path(journey.testbench.__file__).parent
    offenders = []
    for entry in STATION_SIDE:
        path = root / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [
                    f"{file.relative_to(root)}: {name}"
                    for name in names
                    if name.startswith("journey.testbench.simulators")
                ]
    assert offenders == []
