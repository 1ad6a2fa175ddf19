"""What the test bench tells the journey: a card passed or failed its RF test.

Both events carry the measurements that counted (value, units, limits, outcome), the station and
fixture position, and the id of the full JSON test record, so the journey can ship the card or
reissue it and anyone can later see why.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from journey.cqrs.messages import Event
from journey.testbench.sequences.record import TestRecord


class RfMeasurement(BaseModel):
    """One measurement as judged on the station."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    value: float | bool | None
    units: str
    low: float | None = None
    high: float | None = None
    expected: bool | None = None
    outcome: str  # "PASS" | "FAIL"
    marginal: bool = False


class _RfTestResult(Event):
    card_id: str
    application_id: str
    plastic_serial: str
    station_id: str
    position: int
    record_id: str
    marginal: bool
    retries: int
    measurements: tuple[RfMeasurement, ...]


class CardRfTestPassed(_RfTestResult):
    """Every RF measurement within limits: the card can ship (`marginal` flags drift)."""


class CardRfTestFailed(_RfTestResult):
    """At least one RF measurement out of limits (named in `failed_measurements`): reissue."""

    failed_measurements: tuple[str, ...]


def measurements_of(record: TestRecord) -> tuple[RfMeasurement, ...]:
    return tuple(
        RfMeasurement(
            name=measured.name,
            value=measured.value,
            units=measured.units,
            low=measured.limit.low,
            high=measured.limit.high,
            expected=measured.limit.expected,
            outcome=measured.outcome.value,
            marginal=measured.marginal,
        )
        for measured in record.measurements
    )


TESTBENCH_EVENTS: tuple[type[Event], ...] = (CardRfTestPassed, CardRfTestFailed)
