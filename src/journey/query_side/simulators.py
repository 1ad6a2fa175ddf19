"""The set of simulated outside systems, built once over one population."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from journey.cqrs.clock import Clock
from journey.query_side.cdp.simulator import SimulatedCdp
from journey.query_side.citizen.simulator import SimulatedRegistry
from journey.query_side.credit.scales import DATACREDITO, FICO_LIKE
from journey.query_side.credit.simulator import SimulatedBureau
from journey.query_side.crm.simulator import SimulatedCrm
from journey.query_side.population import Population, default_population
from journey.query_side.restrictive_lists.clearances import ClearanceStore
from journey.query_side.restrictive_lists.entries import ListSet
from journey.query_side.restrictive_lists.lists import load_lists
from journey.query_side.restrictive_lists.model import (
    Clearance,
    ClearanceRequest,
    ListVersion,
    ScreeningResult,
    ScreeningSubject,
)
from journey.query_side.restrictive_lists.screening import ScreeningEngine
from journey.query_side.simulation import SimulationKnobs


class SimulatedScreening:
    """The screening engine behaving like a remote screening service (latency, outages)."""

    name = "screening-sim"

    def __init__(self, engine: ScreeningEngine, knobs: SimulationKnobs | None = None) -> None:
        self.engine = engine
        self.knobs = knobs or SimulationKnobs()
        self.calls = 0

    async def screen(self, subject: ScreeningSubject) -> ScreeningResult:
        self.calls += 1
        await self.knobs.before_call(self.name)
        return await self.engine.screen(subject)

    async def clear_false_positive(self, request: ClearanceRequest) -> Clearance:
        await self.knobs.before_call(self.name)
        return await self.engine.clear_false_positive(request)

    async def list_versions(self) -> tuple[ListVersion, ...]:
        return await self.engine.list_versions()


@functools.cache
def shipped_lists() -> ListSet:
    """The sample lists shipped with the package, loaded once per process."""
    return load_lists(None)


@dataclass
class Simulators:
    """Registry, CRM, CDP, two bureaus (primary on a 300-850 scale, fallback on 150-950) and
    the screening engine over the shipped sample lists."""

    population: Population
    registry: SimulatedRegistry
    crm: SimulatedCrm
    cdp: SimulatedCdp
    bureaus: list[SimulatedBureau]
    screening: SimulatedScreening
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
        lists: ListSet | None = None,
        clearances: ClearanceStore | None = None,
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
            screening=SimulatedScreening(
                ScreeningEngine(lists or shipped_lists(), clearances=clearances, clock=clock),
                knobs(16),
            ),
        )
        made.knobs = {
            "registry": made.registry.knobs,
            "crm": made.crm.knobs,
            "cdp": made.cdp.knobs,
            "screening": made.screening.knobs,
            **{bureau.name: bureau.knobs for bureau in made.bureaus},
        }
        return made

    def bureau(self, name: str) -> SimulatedBureau:
        for bureau in self.bureaus:
            if bureau.name == name:
                return bureau
        raise LookupError(f"no simulated bureau {name!r}")
