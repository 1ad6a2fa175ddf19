"""The physical bench every simulated instrument shares.

- **Switch**: relays join matrix rows and columns into nets. A closed relay conducts only after
  it has settled, and a relay can be stuck open while the mainframe believes it closed (the
  `ROUT:CLOS?` readback is software state). The mainframe refuses a close that would put two
  sources (VNA, generator) on one net.
- **Field**: the generator's output reaches a position's antenna only through a conducting net;
  the field there is the position's true field factor x sqrt(power in mW), with a little jitter.
- **Cards**: a card at a position operates when its field is within its hidden [Hmin, Hmax], and
  load-modulates (sidebands at fc ± fc/16) only when the field carries reader commands (AM).
- **VNA**: S11 looking into whatever the VNA's net holds: the probe loop coupled to the card's
  series RLC, other instruments' 50 Ω, or nothing at all (an open).
- **Card handler**: each position has its own motion; a card is in place only once it finishes.

Everything runs on the simulator's event loop thread; other threads go through
`SimulatorHost.call`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from journey.testbench.simulators.config import SimulationConfig
from journey.testbench.simulators.physics.cards import CardTruth, sideband_dbm
from journey.testbench.simulators.physics.layout import BenchLayout, Port, PortKind
from journey.testbench.simulators.scpi.errors import ScpiError

Z0 = 50.0
CARRIER_HZ = 13.56e6
CARRIER_TOLERANCE_HZ = 135e3  # chips decode commands only on a carrier near 13.56 MHz
MIN_COMMAND_DEPTH_PCT = 5.0  # shallower AM is not recognised as reader signalling


@dataclass(slots=True)
class GeneratorState:
    """The generator's settings as the physics needs them (its driver-visible state)."""

    frequency_hz: float = 1e9
    power_dbm: float = -130.0
    output: bool = False
    modulation: bool = True
    am_state: bool = False
    am_depth_pct: float = 0.1
    am_rate_hz: float = 1e3
    am_internal: bool = True

    @property
    def carries_commands(self) -> bool:
        return (
            self.output
            and self.modulation
            and self.am_state
            and self.am_internal
            and self.am_depth_pct >= MIN_COMMAND_DEPTH_PCT
            and abs(self.frequency_hz - CARRIER_HZ) <= CARRIER_TOLERANCE_HZ
        )


@dataclass(slots=True)
class Lane:
    """One position of the card handler."""

    state: str = "EMPT"  # EMPT | BUSY | OCC
    dut: str | None = None
    busy_until: float = 0.0
    arriving: str | None = None  # the card being placed, when BUSY


@dataclass
class Faults:
    """Faults a test can inject (through `SimulatorHost.call`)."""

    stuck_open: set[int] = field(default_factory=set)  # relays that never make contact
    fail_to_close: set[int] = field(default_factory=set)  # relays whose driver reports -240
    unseated: dict[str, int] = field(default_factory=dict)  # dut id -> bad VNA sweeps


class Bench:
    def __init__(self, layout: BenchLayout, config: SimulationConfig) -> None:
        self.layout = layout
        self.config = config
        calibration = random.Random(f"calibration:{config.seed}")
        self.positions = {
            number: replace(
                physics,
                field_factor=physics.field_factor
                * (1 + calibration.gauss(0.0, config.field_calibration_error)),
            )
            for number, physics in layout.positions.items()
        }
        self.noise = random.Random(f"noise:{config.seed}")
        self.closed: dict[int, float] = {}  # relay -> monotonic time it conducts from
        self.cycles: Counter[int] = Counter()
        self.generator = GeneratorState()
        self.cards: dict[int, CardTruth] = {}
        self.lanes = {number: Lane() for number in layout.positions}
        self.bins: dict[str, list[str]] = {"PASS": [], "FAIL": [], "ERR": []}
        self.truths: dict[str, CardTruth] = {}
        self.faults = Faults()
        self._columns = {port: column for column, port in layout.wiring.items()}

    # -- the switch ------------------------------------------------------------------------------
    def validate_channels(self, channels: Iterable[int]) -> list[tuple[int, int]]:
        decoded = []
        for channel in channels:
            found = self.layout.decode(channel)
            if found is None:
                raise ScpiError(-222, f"no channel {channel}")
            decoded.append(found)
        return decoded

    def close_relays(self, channels: list[int], now: float, settle_s: float) -> None:
        """Close relays in list order. Refuses (changing nothing) a close that would join two
        sources; a relay that fails stops the command there (the earlier ones stay closed)."""
        self.validate_channels(channels)
        proposed = set(self.closed) | set(channels)
        for net in self._nets(proposed):
            sources = sorted(str(port) for port in net if port.is_source)
            if len(sources) > 1:
                raise ScpiError(-221, f"two sources on one net: {', '.join(sources)}")
        for channel in channels:
            if channel in self.faults.fail_to_close:
                raise ScpiError(-240, f"relay {channel} did not close")
            if channel not in self.closed:
                self.closed[channel] = now + settle_s
                self.cycles[channel] += 1

    def open_relays(self, channels: Iterable[int]) -> None:
        for channel in channels:
            self.closed.pop(channel, None)

    def open_all(self) -> None:
        self.closed.clear()

    def conducting(self, now: float) -> set[int]:
        return {
            channel
            for channel, since in self.closed.items()
            if since <= now and channel not in self.faults.stuck_open
        }

    def _nets(self, relays: Iterable[int]) -> list[set[Port]]:
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def find(node: tuple[str, int]) -> tuple[str, int]:
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for relay in relays:
            decoded = self.layout.decode(relay)
            if decoded is None:
                continue
            row, column = decoded
            parent[find(("r", row))] = find(("c", column))
        nets: dict[tuple[str, int], set[Port]] = {}
        for column, port in self.layout.wiring.items():
            nets.setdefault(find(("c", column)), set()).add(port)
        return list(nets.values())

    def net_of(self, port: Port, now: float) -> set[Port]:
        """Every port electrically joined to `port` right now (excluding itself)."""
        for net in self._nets(self.conducting(now)):
            if port in net:
                return net - {port}
        return set()

    # -- the generator's field -------------------------------------------------------------------
    def field_at(self, position: int, now: float, *, jitter: bool = True) -> float:
        """Field strength (A/m) at a position from the generator, 0 when it cannot reach it."""
        generator = self.generator
        if not generator.output:
            return 0.0
        net = self.net_of(Port(PortKind.VSG), now)
        antennas = [port for port in net if port.kind is PortKind.ANTENNA]
        if Port(PortKind.ANTENNA, position) not in antennas:
            return 0.0
        milliwatts = 10 ** (generator.power_dbm / 10) / len(antennas)
        strength = self.positions[position].field_factor * math.sqrt(milliwatts)
        if jitter:
            strength *= 1 + self.noise.gauss(0.0, self.config.field_jitter)
        return strength

    # -- what the spectrum analyzer sees ---------------------------------------------------------
    def spectrum_tones(self, now: float) -> list[tuple[float, float]]:
        """(frequency Hz, level dBm) of every tone at the analyzer input."""
        generator = self.generator
        tones: list[tuple[float, float]] = []
        net = self.net_of(Port(PortKind.SA), now)
        if Port(PortKind.VSG) in net and generator.output:
            tones.append((generator.frequency_hz, generator.power_dbm - 0.5))
        for port in net:
            if port.position is None:
                continue
            strength = self.field_at(port.position, now)
            if strength <= 0:
                continue
            physics = self.positions[port.position]
            sense = port.kind is PortKind.SENSE
            carrier_db = physics.carrier_to_sense_db if sense else physics.carrier_to_antenna_db
            tones.append(
                (
                    generator.frequency_hz,
                    20 * math.log10(strength / physics.field_factor) + carrier_db,
                )
            )
            card = self.card_at(port.position, now)
            if card is None or not generator.carries_commands or not card.operates(strength):
                continue
            level = sideband_dbm(card.modulation_at(strength))
            if not sense:
                level += physics.modulation_to_antenna_db
            subcarrier = generator.frequency_hz / 16
            jitter = self.config.sa_level_jitter_db
            tones.append((generator.frequency_hz - subcarrier, level + self.noise.gauss(0, jitter)))
            tones.append((generator.frequency_hz + subcarrier, level + self.noise.gauss(0, jitter)))
        return tones

    # -- what the network analyzer sees ----------------------------------------------------------
    def reflection(self, frequencies: list[float], now: float) -> list[complex]:
        """S11 at the VNA port for each frequency, with the analyzer's trace noise."""
        net = self.net_of(Port(PortKind.VNA), now)
        cards = {
            port.position: self._card_for_sweep(port.position, now)
            for port in net
            if port.position is not None and port.kind is PortKind.ANTENNA
        }
        sigma = self.config.vna_noise
        trace = []
        for hz in frequencies:
            admittance = 0j
            for port in net:
                card = None if port.position is None else cards.get(port.position)
                admittance += 1 / self._impedance(port, hz, card, now)
            if admittance == 0:
                gamma = 1 + 0j  # nothing connected: an open
            else:
                z = 1 / admittance
                gamma = (z - Z0) / (z + Z0)
            trace.append(gamma + complex(self.noise.gauss(0, sigma), self.noise.gauss(0, sigma)))
        return trace

    def _card_for_sweep(self, position: int, now: float) -> CardTruth | None:
        card = self.card_at(position, now)
        if card is None:
            return None
        bad = self.faults.unseated.get(card.dut_id, 0)
        if bad > 0:
            self.faults.unseated[card.dut_id] = bad - 1
            return None  # badly seated: too far from the probe to couple
        return card

    def _impedance(self, port: Port, hz: float, card: CardTruth | None, now: float) -> complex:
        if port.position is None:
            return complex(Z0)  # another instrument's port: a matched load
        physics = self.positions[port.position]
        omega = 2 * math.pi * hz
        if port.kind is PortKind.ANTENNA:
            inductance, resistance, coupling = (
                physics.probe_inductance_h,
                physics.probe_resistance_ohm,
                physics.probe_coupling,
            )
        else:
            inductance, resistance, coupling = (
                physics.sense_inductance_h,
                physics.sense_resistance_ohm,
                physics.sense_coupling,
            )
            card = self.card_at(port.position, now)
        z = complex(resistance, omega * inductance)
        if card is None or card.resonance_hz is None:
            return z
        card_l = physics.card_inductance_h
        omega0 = 2 * math.pi * card.resonance_hz
        card_c = 1 / (omega0**2 * card_l)
        card_r = omega0 * card_l / card.q
        card_z = complex(card_r, omega * card_l - 1 / (omega * card_c))
        mutual = coupling * math.sqrt(inductance * card_l)
        return z + (omega * mutual) ** 2 / card_z

    # -- the card handler ------------------------------------------------------------------------
    def lane(self, position: int, now: float) -> Lane:
        lane = self.lanes.get(position)
        if lane is None:
            raise ScpiError(-222, f"no fixture position {position}")
        self._finish(position, lane, now)
        return lane

    def card_at(self, position: int, now: float) -> CardTruth | None:
        lane = self.lanes.get(position)
        if lane is not None:
            self._finish(position, lane, now)
        return self.cards.get(position)

    def start_load(self, position: int, dut: str, now: float, seconds: float) -> None:
        lane = self.lane(position, now)
        if lane.state != "EMPT":
            raise ScpiError(-221, f"position {position} is not empty")
        lane.state, lane.arriving, lane.busy_until = "BUSY", dut, now + seconds

    def start_unload(self, position: int, to_bin: str, now: float, seconds: float) -> None:
        lane = self.lane(position, now)
        if lane.state != "OCC":
            raise ScpiError(-221, f"position {position} holds no card")
        self._remove(position, lane, to_bin)
        lane.state, lane.arriving, lane.busy_until = "BUSY", None, now + seconds

    def start_exchange(
        self, position: int, to_bin: str, dut: str, now: float, seconds: float
    ) -> None:
        lane = self.lane(position, now)
        if lane.state != "OCC":
            raise ScpiError(-221, f"position {position} holds no card")
        self._remove(position, lane, to_bin)
        lane.state, lane.arriving, lane.busy_until = "BUSY", dut, now + seconds

    def _remove(self, position: int, lane: Lane, to_bin: str) -> None:
        self.cards.pop(position, None)
        if lane.dut is not None:
            self.bins[to_bin].append(lane.dut)
        lane.dut = None

    def _finish(self, position: int, lane: Lane, now: float) -> None:
        if lane.state != "BUSY" or lane.busy_until > now:
            return
        if lane.arriving is None:
            lane.state = "EMPT"
            return
        self.cards[position] = self.truth(lane.arriving)
        lane.state, lane.dut, lane.arriving = "OCC", lane.arriving, None

    # -- hidden truth ----------------------------------------------------------------------------
    def truth(self, dut_id: str) -> CardTruth:
        """The card's real properties (for placing it, and for scoring a run afterwards)."""
        found = self.truths.get(dut_id)
        if found is None:
            found = self.config.population.draw(self.config.seed, dut_id)
            self.truths[dut_id] = found
        return found
