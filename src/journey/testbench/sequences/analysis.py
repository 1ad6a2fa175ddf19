"""Resonance frequency and Q of a card from a VNA S11 trace through a probe loop.

The card's series-RLC antenna, coupled to the probe loop, adds (ωM)²/Z_card to the loop's own
impedance. Its real part peaks at the card's resonance, and falls to half its peak where
|X_card| = R_card, i.e. one bandwidth f0/Q apart: the "R/2" method (OMICRON Lab and ST AN2972
measure cards this way, rather than by a -3 dB width of |S11|, which depends on the loop).

Steps: S11 → Z; Re(Z) minus a straight baseline fitted away from the peak (the loop's own
resistance); the peak refined by a parabola through three points; the half-height crossings
interpolated linearly. A peak that does not stand clearly above the trace noise is *not* a
resonance: an open route or an empty position reads as "no resonance", never as a card.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

Z0 = 50.0
PROBE_MAX_OHM = 1000.0  # a probe loop is a few ohms plus its reactance; an open is far above
EXCLUSION_WIDTHS = 8  # half-widths around the peak kept out of the baseline fit
MIN_SNR = 12.0
MIN_PEAK_OHM = 0.2


@dataclass(frozen=True, slots=True)
class Resonance:
    frequency_hz: float
    q: float
    peak_ohm: float  # Re(Z) above the baseline at the peak
    noise_ohm: float


@dataclass(frozen=True, slots=True)
class NoResonance:
    reason: str


def impedance(gamma: complex, z0: float = Z0) -> complex:
    if gamma == 1:
        return complex(float("inf"))
    return z0 * (1 + gamma) / (1 - gamma)


def probe_visible(trace: Sequence[complex]) -> bool:
    """Whether the trace looks like a probe loop at all (an open route reads |Z| → ∞)."""
    magnitudes = sorted(abs(impedance(gamma)) for gamma in trace)
    return bool(magnitudes) and magnitudes[len(magnitudes) // 2] < PROBE_MAX_OHM


def find_resonance(
    frequencies: Sequence[float], trace: Sequence[complex]
) -> Resonance | NoResonance:
    if len(frequencies) != len(trace) or len(trace) < 11:
        return NoResonance(f"{len(trace)} points for {len(frequencies)} frequencies")
    if not probe_visible(trace):
        return NoResonance("the trace is an open: no probe loop on the route")
    resistance = [impedance(gamma).real for gamma in trace]
    rough = statistics.median(resistance)
    excess = [r - rough for r in resistance]
    peak = max(range(len(excess)), key=excess.__getitem__)
    half_width = _half_width_points(excess, peak)
    far = [i for i in range(len(trace)) if abs(i - peak) > EXCLUSION_WIDTHS * half_width]
    if len(far) < len(trace) // 10:
        far = [i for i in range(len(trace)) if abs(i - peak) > half_width]
    slope, intercept = _line([frequencies[i] for i in far], [resistance[i] for i in far])
    excess = [r - (slope * f + intercept) for f, r in zip(frequencies, resistance, strict=True)]
    residuals = [excess[i] for i in far]
    center = statistics.median(residuals)
    noise = 1.4826 * statistics.median(abs(v - center) for v in residuals) or 1e-12
    peak = max(range(len(excess)), key=excess.__getitem__)
    height = excess[peak]
    if height < max(MIN_SNR * noise, MIN_PEAK_OHM):
        return NoResonance(f"no resonance: peak {height:.3g} ohm, noise {noise:.3g} ohm")
    if peak == 0 or peak == len(excess) - 1:
        return NoResonance("resonance at the edge of the sweep")
    before, after = excess[peak - 1], excess[peak + 1]
    curvature = before - 2 * height + after
    shift = 0.0 if curvature == 0 else 0.5 * (before - after) / curvature
    step = frequencies[peak + 1] - frequencies[peak]
    f0 = frequencies[peak] + shift * step
    top = height - 0.25 * (before - after) * shift
    left = _crossing(frequencies, excess, peak, -1, top / 2)
    right = _crossing(frequencies, excess, peak, +1, top / 2)
    if left is None or right is None or right <= left:
        return NoResonance("resonance too wide for the sweep")
    return Resonance(frequency_hz=f0, q=f0 / (right - left), peak_ohm=top, noise_ohm=noise)


def _half_width_points(excess: Sequence[float], peak: int) -> int:
    half = excess[peak] / 2
    left = peak
    while left > 0 and excess[left] > half:
        left -= 1
    right = peak
    while right < len(excess) - 1 and excess[right] > half:
        right += 1
    return max(1, (right - left) // 2)


def _line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares straight line (slope, intercept)."""
    mean_x = statistics.fmean(xs)
    mean_y = statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0, mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, mean_y - slope * mean_x


def _crossing(
    frequencies: Sequence[float], values: Sequence[float], start: int, direction: int, level: float
) -> float | None:
    index = start
    while 0 <= index + direction < len(values):
        nxt = index + direction
        if values[nxt] <= level:
            a, b = values[index], values[nxt]
            fraction = (a - level) / (a - b) if a != b else 0.0
            return frequencies[index] + fraction * (frequencies[nxt] - frequencies[index])
        index = nxt
    return None
