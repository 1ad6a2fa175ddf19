"""The set of simulated outside systems, built once over one population."""

from __future__ import annotations

from dataclasses import dataclass, field

from journey.cqrs.clock import Clock
from journey.query_side.cdp.simulator import SimulatedCdp
from journey.query_side.citizen.simulator import SimulatedRegistry
from journey.query_side.credit.scales import DATACREDITO, FICO_LIKE
from journey.query_side.credit.simulator import SimulatedBureau
from journey.query_side.crm.simulator import SimulatedCrm
from journey.query_side.population import Population, default_population
from journey.query_side.simulation import SimulationKnobs


@dataclass
class Simulators:
    """Registry, CRM, CDP and two bureaus (primary on a 300-850 scale, fallback on 150-950)."""

    population: Population
    registry: SimulatedRegistry
    crm: SimulatedCrm
    cdp: SimulatedCdp
    bureaus: list[SimulatedBureau]
    knobs: dict[str, SimulationKnobs] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        population: Population | None = None,
        *,
        latency: float = 0.0,
        jitter: float = 0.0,
        error_rate: float = 0.0,
        clock: Clock | None = None,
    ) -> Simulators:
        population = population or default_population()

        def knobs(seed: int) -> SimulationKnobs:
            return SimulationKnobs(latency=latency, jitter=jitter, error_rate=error_rate, seed=seed)

        made = cls(
            population=population,
            registry=SimulatedRegistry(population, knobs(11)),
            crm=SimulatedCrm(population, knobs(12)),
            cdp=SimulatedCdp(population, knobs(13)),
            bureaus=[
                SimulatedBureau(
                    "bureau-a", FICO_LIKE, population=population, knobs=knobs(14), clock=clock
                ),
                SimulatedBureau(
                    "bureau-b", DATACREDITO, population=population, knobs=knobs(15), clock=clock
                ),
            ],
        )
        made.knobs = {
            "registry": made.registry.knobs,
            "crm": made.crm.knobs,
            "cdp": made.cdp.knobs,
            **{bureau.name: bureau.knobs for bureau in made.bureaus},
        }
        return made

    def bureau(self, name: str) -> SimulatedBureau:
        for bureau in self.bureaus:
            if bureau.name == name:
                return bureau
        raise LookupError(f"no simulated bureau {name!r}")
