"""How the simulated bench is wired: what each matrix column is cabled to, and each position's
physical constants (some of which the station only knows approximately, as in real life)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PortKind(StrEnum):
    VNA = "vna"  # VNA port 1: a source
    VSG = "vsg"  # generator + power amplifier output: a source
    SA = "sa"  # spectrum analyzer input
    ANTENNA = "antenna"  # a fixture position's field antenna / probe loop
    SENSE = "sense"  # a fixture position's sense coil


SOURCES = frozenset({PortKind.VNA, PortKind.VSG})


@dataclass(frozen=True, slots=True)
class Port:
    """A thing cabled to a matrix column: an instrument port, or a fixture coil at a position."""

    kind: PortKind
    position: int | None = None

    @property
    def is_source(self) -> bool:
        return self.kind in SOURCES

    def __str__(self) -> str:
        return self.kind.value if self.position is None else f"P{self.position}.{self.kind.value}"


@dataclass(frozen=True, slots=True)
class PositionPhysics:
    """The truth of one fixture position (the station file holds its own calibrated guess)."""

    field_factor: float  # A/m at the card per sqrt(mW) of generator output
    probe_inductance_h: float = 0.4e-6
    probe_resistance_ohm: float = 0.8
    probe_coupling: float = 0.12  # k between the antenna/probe loop and the card
    sense_inductance_h: float = 0.2e-6
    sense_resistance_ohm: float = 0.5
    sense_coupling: float = 0.04
    card_inductance_h: float = 2.0e-6
    carrier_to_sense_db: float = -40.0  # the balanced sense coil cancels most of the carrier
    carrier_to_antenna_db: float = -3.0
    modulation_to_antenna_db: float = -6.0


@dataclass(frozen=True, slots=True)
class BenchLayout:
    """A switch mainframe slot with a rows x columns matrix, and what each column is wired to."""

    slot: int
    rows: int
    columns: int
    wiring: dict[int, Port]  # column number -> port
    positions: dict[int, PositionPhysics]

    def relay(self, row: int, column: int) -> int:
        return self.slot * 1000 + row * 100 + column

    def decode(self, channel: int) -> tuple[int, int] | None:
        """(row, column) of a relay channel number, or None if it does not exist here."""
        slot, rest = divmod(channel, 1000)
        row, column = divmod(rest, 100)
        if slot != self.slot or not 1 <= row <= self.rows or not 1 <= column <= self.columns:
            return None
        return row, column
