"""A simulated civil registry over the synthetic population."""

from __future__ import annotations

from journey.query_side.citizen.model import RegistryRecord
from journey.query_side.population import Population, default_population
from journey.query_side.simulation import SimulationKnobs


class SimulatedRegistry:
    name = "registry-sim"

    def __init__(
        self, population: Population | None = None, knobs: SimulationKnobs | None = None
    ) -> None:
        self._population = population or default_population()
        self.knobs = knobs or SimulationKnobs()
        self.calls = 0

    async def lookup(self, country: str, national_id: str) -> RegistryRecord | None:
        self.calls += 1
        await self.knobs.before_call(self.name)
        person = self._population.find(country, national_id)
        if person is None:
            return None
        return RegistryRecord(
            country=person.country,
            national_id=person.national_id,
            given_names=person.given_names,
            surnames=tuple(person.surnames),
            birth_date=person.birth_date,
            status=person.registry_status,
            death_date=person.death_date,
        )
