"""Running a sequence of phases on one card at one fixture position, into a test record.

For each attempt of each phase the runner (1) waits for the phase's instruments and position at
the `Gate` (the multi-site arbiter), (2) connects the position's route for the phase and takes
ownership of each instrument driver, (3) runs the phase, (4) releases everything, even on error,
and judges the measurements. A station failure (an instrument error, a timeout, a route that
cannot be made, a missing carrier) ends the test in ERROR: the card is neither passed nor failed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack
from typing import Protocol

from journey.cqrs.ids import new_id
from journey.testbench.errors import TestbenchError
from journey.testbench.runtime import Station
from journey.testbench.sequences.measurements import Measured, Outcome
from journey.testbench.sequences.phases import Phase, PhaseContext
from journey.testbench.sequences.record import Attempt, PhaseRecord, TestRecord, Verdict
from journey.testbench.station import PositionConfig


class Gate(Protocol):
    """Grants exclusive use of named resources; `hold` yields the seconds spent waiting."""

    def hold(
        self, owner: str, resources: frozenset[str], label: str
    ) -> AbstractContextManager[float]: ...


class OpenGate:
    """A gate that never waits (one site, nobody to share with)."""

    @contextlib.contextmanager
    def hold(self, owner: str, resources: frozenset[str], label: str) -> Iterator[float]:
        yield 0.0


class SequenceRunner:
    def __init__(
        self,
        station: Station,
        phases: Sequence[Phase],
        *,
        gate: Gate | None = None,
        stop_on_fail: bool | None = None,
    ) -> None:
        self.station = station
        self.phases = tuple(phases)
        self.gate = gate or OpenGate()
        self.stop_on_fail = (
            station.config.sequence.stop_on_fail if stop_on_fail is None else stop_on_fail
        )

    def run(self, dut_id: str, position: PositionConfig, *, owner: str = "") -> TestRecord:
        owner = owner or f"site-{position.number}"
        record = TestRecord(
            record_id=new_id(),
            station_id=self.station.config.station_id,
            dut_id=dut_id,
            position=position.number,
            started_at=time.time(),
            instruments=dict(self.station.identities),
        )
        for phase in self.phases:
            spec = position.routes[phase.route]
            result = PhaseRecord(phase.name, phase.instruments, spec)
            record.phases.append(result)
            for number in range(1, max(phase.options.repeat_limit, 1) + 1):
                attempt = self._attempt(phase, position, owner, dut_id, number, spec)
                result.attempts.append(attempt)
                if attempt.outcome is not Verdict.FAIL:
                    break
                if not phase.options.repeat_on_measurement_fail:
                    break
            if result.outcome is Verdict.ERROR:
                break
            if result.outcome is Verdict.FAIL and self.stop_on_fail:
                break
        record.ended_at = time.time()
        return record

    def _attempt(
        self,
        phase: Phase,
        position: PositionConfig,
        owner: str,
        dut_id: str,
        number: int,
        route_spec: str,
    ) -> Attempt:
        station = self.station
        context = PhaseContext(phase, station, position, owner, number)
        resources = frozenset(
            {station.instrument_name(kind) for kind in phase.instruments}
            | {f"position:{position.number}"}
        )
        error: str | None = None
        waited = 0.0
        started = time.time()
        try:
            with (
                self.gate.hold(owner, resources, f"{dut_id}:{phase.name}") as waited,
                ExitStack() as held,
            ):
                started = time.time()
                held.enter_context(station.routes.connected(route_spec, owner=owner))
                for kind in phase.instruments:
                    held.enter_context(
                        station.instruments[station.instrument_name(kind)].reserved(owner)
                    )
                phase.run(context)
        except TestbenchError as failure:
            error = f"{type(failure).__name__}: {failure}"
        except Exception as failure:  # a bug or a garbled reply must end in ERROR, not a verdict
            error = f"{type(failure).__name__}: {failure}"
        ended = time.time()
        measured = [
            Measured.judge(spec, *context.values.get(spec.name, (None, "not measured")))
            for spec in phase.measurements
        ]
        if error is not None:
            outcome = Verdict.ERROR
        elif any(m.outcome is Outcome.FAIL for m in measured):
            outcome = Verdict.FAIL
        else:
            outcome = Verdict.PASS
        return Attempt(number, started, ended, outcome, measured, error, waited)
