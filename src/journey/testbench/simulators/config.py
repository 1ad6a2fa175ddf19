"""Simulation settings: timings of the simulated instruments, noise, the card population."""

from __future__ import annotations

from dataclasses import dataclass, field

from journey.testbench.simulators.physics.cards import Population


@dataclass(frozen=True, slots=True)
class Timing:
    """How long simulated operations take (the realistic defaults are the benchmark's)."""

    vna_sweep_s: float = 0.030
    sa_sweep_s: float = 0.020
    relay_settle_s: float = 0.005
    handler_s: float = 0.400  # one motion of the card handler at one position

    @classmethod
    def fast(cls) -> Timing:
        """Tests: same behaviour, a hundredth of the waiting."""
        return cls(vna_sweep_s=0.0003, sa_sweep_s=0.0002, relay_settle_s=0.0001, handler_s=0.004)


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    seed: int = 1
    population: Population = field(default_factory=Population)
    timing: Timing = field(default_factory=Timing)
    vna_noise: float = 3e-4  # standard deviation of S11 (re and im) per point
    sa_level_jitter_db: float = 0.15
    sa_danl_dbm_per_hz: float = -140.0
    field_jitter: float = 0.003  # relative, per sweep
    field_calibration_error: float = 0.005  # relative spread of true vs nominal field factors

    def with_defect_rate(self, rate: float) -> SimulationConfig:
        from dataclasses import replace

        return replace(self, population=replace(self.population, defect_rate=rate))
