"""Measurements with limits, after OpenHTF: a value, its units, its limits, an outcome.

A limit may have a *marginal* band inside it: a value inside the limits but beyond the marginal
bound still passes, flagged `marginal` (the card works, the process is drifting). A value that
could not be measured (None) fails: the station never passes what it did not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

Value = float | bool | None


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Limit:
    """`low <= value <= high` (either bound optional), or `value == expected` for booleans."""

    low: float | None = None
    high: float | None = None
    marginal_low: float | None = None
    marginal_high: float | None = None
    expected: bool | None = None

    def __post_init__(self) -> None:
        if self.expected is not None and (self.low is not None or self.high is not None):
            raise ValueError("a limit is either a range or an expected boolean")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low limit {self.low} is above high limit {self.high}")
        if self.marginal_low is not None and (
            self.low is None or not self.low <= self.marginal_low
        ):
            raise ValueError("marginal_low must sit at or above low")
        if self.marginal_high is not None and (
            self.high is None or not self.marginal_high <= self.high
        ):
            raise ValueError("marginal_high must sit at or below high")

    def judge(self, value: Value) -> tuple[Outcome, bool]:
        """(outcome, marginal) for a measured value."""
        if value is None:
            return Outcome.FAIL, False
        if self.expected is not None:
            return (Outcome.PASS if value is self.expected else Outcome.FAIL), False
        if isinstance(value, bool):
            return Outcome.FAIL, False  # a boolean where a number was expected
        if self.low is not None and value < self.low:
            return Outcome.FAIL, False
        if self.high is not None and value > self.high:
            return Outcome.FAIL, False
        marginal = (self.marginal_low is not None and value < self.marginal_low) or (
            self.marginal_high is not None and value > self.marginal_high
        )
        return Outcome.PASS, marginal

    def describe(self) -> str:
        if self.expected is not None:
            return f"== {self.expected}"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "+inf" if self.high is None else f"{self.high:g}"
        return f"[{low}, {high}]"


@dataclass(frozen=True, slots=True)
class MeasurementSpec:
    """A measurement a phase promises to take."""

    name: str
    units: str
    limit: Limit
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Measured:
    """A measurement as taken and judged."""

    name: str
    value: Value
    units: str
    outcome: Outcome
    marginal: bool
    limit: Limit
    note: str = ""

    @classmethod
    def judge(cls, spec: MeasurementSpec, value: Value, note: str = "") -> Measured:
        outcome, marginal = spec.limit.judge(value)
        return cls(spec.name, value, spec.units, outcome, marginal, spec.limit, note)

    def to_json(self) -> dict[str, object]:
        limit = self.limit
        return {
            "name": self.name,
            "value": self.value,
            "units": self.units,
            "outcome": self.outcome.value,
            "marginal": self.marginal,
            "low": limit.low,
            "high": limit.high,
            "marginal_low": limit.marginal_low,
            "marginal_high": limit.marginal_high,
            "expected": limit.expected,
            "note": self.note,
        }
