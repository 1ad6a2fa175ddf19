"""Phases, after OpenHTF: a function that takes measurements, with what it needs declared.

A phase names the instruments it holds exclusively and the route (per fixture position) it
needs; the runner acquires both before the phase starts, so a phase body only measures.
`repeat_on_measurement_fail` runs the phase again (up to `repeat_limit` attempts in all) when
a measurement fails, e.g. a card not yet seated; every attempt stays in the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journey.testbench.sequences.measurements import MeasurementSpec, Value

if TYPE_CHECKING:
    from journey.testbench.runtime import Station
    from journey.testbench.station import PositionConfig


@dataclass(frozen=True, slots=True)
class PhaseOptions:
    repeat_on_measurement_fail: bool = True
    repeat_limit: int = 2


@dataclass(frozen=True)
class Phase:
    name: str
    run: Callable[[PhaseContext], None]
    measurements: tuple[MeasurementSpec, ...]
    instruments: tuple[str, ...]  # instrument kinds held for the whole phase
    route: str  # key of the position's route for this phase ("resonance", "field")
    options: PhaseOptions = field(default_factory=PhaseOptions)
    doc: str = ""


class PhaseContext:
    """What a running phase sees: the station, its position, and where to put measurements."""

    def __init__(
        self, phase: Phase, station: Station, position: PositionConfig, owner: str, attempt: int
    ) -> None:
        self.phase = phase
        self.station = station
        self.position = position
        self.owner = owner
        self.attempt = attempt
        self.values: dict[str, tuple[Value, str]] = {}
        self._declared = {spec.name for spec in phase.measurements}

    def measure(self, name: str, value: Value, note: str = "") -> None:
        if name not in self._declared:
            raise KeyError(f"phase {self.phase.name} does not declare measurement {name}")
        self.values[name] = (value, note)
