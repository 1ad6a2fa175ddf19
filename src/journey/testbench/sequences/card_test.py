"""The RF test of a contactless card (ISO/IEC 14443, 13.56 MHz): two phases.

**resonance** (VNA through the position's probe route): one S11 sweep; resonance frequency and
Q from the trace (R/2 method, `analysis.find_resonance`) or from the VNA's own marker bandwidth
search. A trace that shows no probe loop at all means the route is not there: a station fault.

**field** (generator driving the position's antenna, analyzer on its sense coil): with the
field carrying reader commands (AM), a card that is powered answers by load modulation, seen as
sidebands at fc ± fc/16 (847.5 kHz).
- At the reference field: the carrier must be there (else the field is not reaching the card,
  a station fault) and the weaker sideband's level is the load-modulation measurement.
- The minimum operating field: a binary search over a grid of field strengths, stepping the
  generator power, for the lowest field where the card answers.
- At the maximum field (7.5 A/m): the card must still answer.
The generator is switched off before the phase ends: relays never switch a live RF path.
"""

from __future__ import annotations

import math

from journey.testbench.errors import StationFault
from journey.testbench.runtime import Station
from journey.testbench.sequences.analysis import NoResonance, find_resonance, probe_visible
from journey.testbench.sequences.measurements import MeasurementSpec
from journey.testbench.sequences.phases import Phase, PhaseContext, PhaseOptions
from journey.testbench.station import FieldSettings, StationConfig

SUBCARRIER_DIVISOR = 16  # ISO/IEC 14443: subcarrier fs = fc / 16 = 847.5 kHz


def card_test_phases(config: StationConfig) -> tuple[Phase, ...]:
    limits = config.limits
    options = PhaseOptions(
        repeat_on_measurement_fail=config.sequence.repeat_limit > 1,
        repeat_limit=config.sequence.repeat_limit,
    )
    return (
        Phase(
            name="resonance",
            run=measure_resonance,
            measurements=(
                MeasurementSpec(
                    "resonance_frequency",
                    "Hz",
                    limits["resonance_frequency"],
                    "frequency of the peak of Re(Z) seen through the probe loop",
                ),
                MeasurementSpec(
                    "quality_factor",
                    "",
                    limits["quality_factor"],
                    "f0 / bandwidth where Re(Z) falls to half its peak",
                ),
            ),
            instruments=("vna",),
            route="resonance",
            options=options,
        ),
        Phase(
            name="field",
            run=measure_field,
            measurements=(
                MeasurementSpec(
                    "load_modulation_sideband",
                    "dBm",
                    limits["load_modulation_sideband"],
                    "weaker of the fc ± 847.5 kHz sidebands at the reference field",
                ),
                MeasurementSpec(
                    "minimum_operating_field",
                    "A/m",
                    limits["minimum_operating_field"],
                    "lowest field on the search grid where the card answers",
                ),
                MeasurementSpec(
                    "operates_at_max_field",
                    "",
                    limits["operates_at_max_field"],
                    "the card still answers at the maximum field",
                ),
            ),
            instruments=("vsg", "sa"),
            route="field",
            options=options,
        ),
    )


# -- resonance ---------------------------------------------------------------------------------
def measure_resonance(ctx: PhaseContext) -> None:
    station = ctx.station
    vna = station.vna
    vna.single_sweep(timeout_s=vna.timeout_s + 5.0)
    if station.config.resonance.method == "marker":
        _resonance_by_marker(ctx, station)
        return
    trace = vna.complex_trace()
    if not probe_visible(trace):
        raise StationFault(
            f"position {ctx.position.number}: the VNA sees an open, not the probe loop "
            "(route not made or fixture unplugged)"
        )
    found = find_resonance(station.vna_frequencies, trace)
    if isinstance(found, NoResonance):
        ctx.measure("resonance_frequency", None, found.reason)
        ctx.measure("quality_factor", None, found.reason)
        return
    ctx.measure("resonance_frequency", found.frequency_hz)
    ctx.measure("quality_factor", found.q)


def _resonance_by_marker(ctx: PhaseContext, station: Station) -> None:
    """The VNA's firmware does the R/2 analysis: Re(Z) format, max search, bandwidth at half."""
    from journey.testbench.errors import ExecutionError

    vna = station.vna
    settings = station.config.resonance
    vna.set_impedance_conversion(True)
    vna.set_format("REAL")
    try:
        start = vna.marker_value(settings.start_hz, marker=2)
        stop = vna.marker_value(settings.stop_hz, marker=2)
        if min(abs(start), abs(stop)) > 1000:
            raise StationFault(f"position {ctx.position.number}: the VNA sees an open")
        _, peak = vna.marker_search("MAX")
        height = peak - (start + stop) / 2
        if height < 0.2:
            ctx.measure("resonance_frequency", None, "no resonance above the baseline")
            ctx.measure("quality_factor", None, "no resonance above the baseline")
            return
        try:
            found = vna.bandwidth_search(-height / 2)
        except ExecutionError as error:
            ctx.measure("resonance_frequency", None, f"bandwidth search failed: {error}")
            ctx.measure("quality_factor", None, "bandwidth search failed")
            return
        ctx.measure("resonance_frequency", found.center_hz)
        ctx.measure("quality_factor", found.q)
    finally:
        vna.set_impedance_conversion(False)
        vna.set_format("SMIT")


# -- field ---------------------------------------------------------------------------------------
class _FieldProbe:
    """Sets a field strength at the position and reads the card's answer.

    Markers 1 and 2 sit on the sidebands and marker 3 on the carrier for the whole phase; after
    each sweep one compound query reads all three.
    """

    LOWER, UPPER, CARRIER = 1, 2, 3

    def __init__(self, ctx: PhaseContext) -> None:
        self.ctx = ctx
        self.station = ctx.station
        self.settings: FieldSettings = ctx.station.config.field
        self.factor = ctx.position.field_factor
        fc = self.settings.carrier_hz
        sa = self.station.sa
        sa.set_marker(self.LOWER, fc - fc / SUBCARRIER_DIVISOR)
        sa.set_marker(self.UPPER, fc + fc / SUBCARRIER_DIVISOR)
        sa.set_marker(self.CARRIER, fc)

    def power_for(self, field_a_per_m: float) -> float:
        power = 20 * math.log10(field_a_per_m / self.factor)
        if power > self.settings.max_power_dbm:
            raise StationFault(
                f"{field_a_per_m:g} A/m needs {power:.1f} dBm, above the generator's limit"
            )
        return power

    def sweep_at(self, field_a_per_m: float) -> tuple[float, float, float]:
        """(lower sideband, upper sideband, carrier) in dBm at this field."""
        sa = self.station.sa
        self.station.vsg.set_power(self.power_for(field_a_per_m))
        sa.sweep(timeout_s=sa.timeout_s + 5.0)
        lower, upper, carrier = sa.marker_levels((self.LOWER, self.UPPER, self.CARRIER))
        return lower, upper, carrier

    def check_carrier(self, field_a_per_m: float, carrier_dbm: float) -> None:
        """The carrier must show at the sense coil, else the field never reached the card.

        Read with a marker at the carrier, not a peak search: a balanced sense coil cancels
        most of the carrier, so a card's sidebands may well be the highest peaks.
        """
        if carrier_dbm < self.settings.carrier_min_dbm:
            raise StationFault(
                f"position {self.ctx.position.number}: no carrier at the sense coil at "
                f"{field_a_per_m:g} A/m ({carrier_dbm:.1f} dBm): generator route or amplifier "
                "fault"
            )

    def answers(self, field_a_per_m: float) -> bool:
        lower, upper, _ = self.sweep_at(field_a_per_m)
        return min(lower, upper) >= self.settings.detect_dbm


def measure_field(ctx: PhaseContext) -> None:
    probe = _FieldProbe(ctx)
    settings = probe.settings
    vsg = ctx.station.vsg
    vsg.set_output(True)
    try:
        reference = settings.reference_field
        lower, upper, carrier = probe.sweep_at(reference)
        probe.check_carrier(reference, carrier)
        ctx.measure(
            "load_modulation_sideband",
            min(lower, upper),
            f"lower {lower:.2f} dBm, upper {upper:.2f} dBm at {reference:g} A/m",
        )
        if min(lower, upper) >= settings.detect_dbm:
            ctx.measure("minimum_operating_field", _minimum_field(probe, reference))
        else:
            ctx.measure("minimum_operating_field", None, f"no answer at {reference:g} A/m or below")
        top = settings.max_field
        lower, upper, carrier = probe.sweep_at(top)
        probe.check_carrier(top, carrier)
        ctx.measure(
            "operates_at_max_field",
            min(lower, upper) >= settings.detect_dbm,
            f"sidebands {lower:.2f} / {upper:.2f} dBm at {top:g} A/m",
        )
    finally:
        vsg.set_output(False)


def field_grid(settings: FieldSettings) -> list[float]:
    """The Hmin search grid below the reference field: `resolution` steps from `search_low` up to
    `coarse_above` (around the limit, where the verdict is decided), `coarse_resolution` steps
    above it. Fewer grid points means fewer sweeps: the binary search needs log2(points)."""
    grid: list[float] = []
    value = settings.search_low
    while value <= settings.coarse_above + 1e-9 and value < settings.reference_field - 1e-9:
        grid.append(round(value, 9))
        value = settings.search_low + len(grid) * settings.resolution
    value = (grid[-1] if grid else settings.search_low) + settings.coarse_resolution
    while value < settings.reference_field - 1e-9:
        grid.append(round(value, 9))
        value += settings.coarse_resolution
    return grid


def _minimum_field(probe: _FieldProbe, reference: float) -> float:
    """Lowest grid field where the card answers, knowing it answers at `reference`.

    A card answers on [Hmin, Hmax] and Hmax is above the reference, so "answers" is monotonic on
    the grid below the reference and a binary search needs only log2(grid) sweeps.
    """
    grid = [*field_grid(probe.settings), reference]
    low, high = 0, len(grid) - 1  # the answer lies in grid[low..high]; grid[high] answers
    while low < high:
        middle = (low + high) // 2
        if probe.answers(grid[middle]):
            high = middle
        else:
            low = middle + 1
    return grid[low]
