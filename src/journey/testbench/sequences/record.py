"""The test record: everything that happened testing one card, as JSON (OpenHTF's shape).

Each phase keeps *every* attempt: a retried measurement shows its failed attempt next to the one
that counted, so nobody has to trust a retry they cannot see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from journey.testbench.sequences.measurements import Measured, Outcome

SCHEMA = "journey.testbench.record/1"


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # the station could not judge the card: neither passed nor failed


@dataclass
class Attempt:
    number: int
    started_at: float  # seconds since the epoch
    ended_at: float
    outcome: Verdict
    measurements: list[Measured] = field(default_factory=list)
    error: str | None = None
    waited_s: float = 0.0  # for instruments and routes before the attempt could start

    def to_json(self) -> dict[str, object]:
        return {
            "attempt": self.number,
            "outcome": self.outcome.value,
            "started_at": round(self.started_at, 6),
            "ended_at": round(self.ended_at, 6),
            "duration_s": round(self.ended_at - self.started_at, 6),
            "waited_s": round(self.waited_s, 6),
            "error": self.error,
            "measurements": [measured.to_json() for measured in self.measurements],
        }


@dataclass
class PhaseRecord:
    name: str
    instruments: tuple[str, ...]
    routes: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def outcome(self) -> Verdict:
        return self.attempts[-1].outcome if self.attempts else Verdict.ERROR

    @property
    def final(self) -> list[Measured]:
        return self.attempts[-1].measurements if self.attempts else []

    @property
    def retries(self) -> int:
        return max(len(self.attempts) - 1, 0)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "outcome": self.outcome.value,
            "marginal": any(measured.marginal for measured in self.final),
            "instruments": list(self.instruments),
            "routes": self.routes,
            "retries": self.retries,
            "attempts": [attempt.to_json() for attempt in self.attempts],
        }


@dataclass
class TestRecord:
    __test__ = False  # not a pytest test class

    record_id: str
    station_id: str
    dut_id: str
    position: int
    started_at: float
    ended_at: float = 0.0
    phases: list[PhaseRecord] = field(default_factory=list)
    instruments: dict[str, str] = field(default_factory=dict)  # name -> *IDN?
    error: str | None = None
    handling_s: float = 0.0

    @property
    def verdict(self) -> Verdict:
        if self.error is not None or any(p.outcome is Verdict.ERROR for p in self.phases):
            return Verdict.ERROR
        if not self.phases:
            return Verdict.ERROR
        if any(phase.outcome is Verdict.FAIL for phase in self.phases):
            return Verdict.FAIL
        return Verdict.PASS

    @property
    def measurements(self) -> list[Measured]:
        """The measurements that counted (each phase's last attempt)."""
        return [measured for phase in self.phases for measured in phase.final]

    @property
    def failed_measurements(self) -> list[str]:
        return [m.name for m in self.measurements if m.outcome is Outcome.FAIL]

    @property
    def marginal(self) -> bool:
        return self.verdict is Verdict.PASS and any(m.marginal for m in self.measurements)

    @property
    def retries(self) -> int:
        return sum(phase.retries for phase in self.phases)

    def measurement(self, name: str) -> Measured | None:
        for measured in self.measurements:
            if measured.name == name:
                return measured
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "record_id": self.record_id,
            "station_id": self.station_id,
            "dut_id": self.dut_id,
            "position": self.position,
            "verdict": self.verdict.value,
            "marginal": self.marginal,
            "failed_measurements": self.failed_measurements,
            "error": self.error,
            "started_at": round(self.started_at, 6),
            "ended_at": round(self.ended_at, 6),
            "duration_s": round(self.ended_at - self.started_at, 6),
            "handling_s": round(self.handling_s, 6),
            "retries": self.retries,
            "instruments": self.instruments,
            "measurements": {m.name: m.to_json() for m in self.measurements},
            "phases": [phase.to_json() for phase in self.phases],
        }

    def write(self, directory: Path) -> Path:
        """Write `<dut>.<record id>.json` into `directory`; returns the file."""
        directory.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.dut_id)
        path = directory / f"{safe}.{self.record_id}.json"
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path
