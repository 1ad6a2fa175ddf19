"""Who applies in the demo, for what, and how they behave: a realistic mix of customers.

Each scenario picks people from the simulators' population who really have the trait (a
sanctioned person's namesake, a deceased registry record, a low bureau score...), so the
journey meets each case through the outside systems, not through a flag. Misprints, RF-failing
plastics and parcels returned to sender happen by chance at the simulated world's rates.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from journey.query_side.population import Person, Population


class Scenario(StrEnum):
    CLEAN = "clean"  # a Classic card, no fee
    PREMIUM = "premium"  # a Gold card with its annual fee
    SANCTIONS_NEAR_MATCH = "sanctions near-match"  # an analyst clears the namesake
    PEP = "politically exposed"  # an analyst approves after due diligence
    DECEASED = "deceased"  # the registry says so: declined
    LOW_SCORE = "low score"  # declined by the credit policy
    BUREAU_DOWN = "bureau down"  # screened while both bureaus fail: referred
    OUT_OF_STOCK = "out-of-stock design"  # the scarce design runs out: undone before the pivot
    FEE_REFUSED = "fee refused"  # the processor refuses the fee: undone before the pivot
    OFFER_EXPIRES = "offer left to expire"
    WITHDRAWS = "withdraws after the pivot"  # undone as far as it can be


# Share of each scenario in the mix (the rest are clean).
MIX: dict[Scenario, float] = {
    Scenario.PREMIUM: 0.15,
    Scenario.SANCTIONS_NEAR_MATCH: 0.05,
    Scenario.PEP: 0.03,
    Scenario.DECEASED: 0.04,
    Scenario.LOW_SCORE: 0.08,
    Scenario.BUREAU_DOWN: 0.04,
    Scenario.OUT_OF_STOCK: 0.04,
    Scenario.FEE_REFUSED: 0.03,
    Scenario.OFFER_EXPIRES: 0.04,
    Scenario.WITHDRAWS: 0.03,
}
SCARCE_DESIGN = "gold-night"  # stocked short on purpose


@dataclass(frozen=True, slots=True)
class Casting:
    """One demo customer: who, in which scenario, applying for what."""

    application_id: str
    scenario: Scenario
    person: Person
    product_code: str
    design_code: str


def _creditworthy(person: Person, at_least: int = 720) -> bool:
    credit = person.credit
    return (
        credit.score is not None
        and credit.score >= at_least
        and not credit.thin
        and not credit.public_records
        and person.registry_status == "VALID"
    )


def _plain(person: Person) -> bool:
    return person.pep_role is None and person.namesake_of is None


WHO: dict[Scenario, Callable[[Person], bool]] = {
    Scenario.CLEAN: lambda p: _plain(p) and _creditworthy(p),
    Scenario.PREMIUM: lambda p: _plain(p) and _creditworthy(p, 760),
    Scenario.SANCTIONS_NEAR_MATCH: lambda p: p.namesake_of is not None and _creditworthy(p),
    Scenario.PEP: lambda p: p.pep_role is not None and _creditworthy(p),
    Scenario.DECEASED: lambda p: _plain(p) and p.registry_status == "DECEASED",
    Scenario.LOW_SCORE: lambda p: (
        _plain(p)
        and p.registry_status == "VALID"
        and p.credit.score is not None
        and p.credit.score < 560
    ),
    Scenario.BUREAU_DOWN: lambda p: _plain(p) and _creditworthy(p),
    Scenario.OUT_OF_STOCK: lambda p: _plain(p) and _creditworthy(p, 760),
    Scenario.FEE_REFUSED: lambda p: _plain(p) and _creditworthy(p, 760),
    Scenario.OFFER_EXPIRES: lambda p: _plain(p) and _creditworthy(p),
    Scenario.WITHDRAWS: lambda p: _plain(p) and _creditworthy(p, 760),
}
GOLD = frozenset(
    {Scenario.PREMIUM, Scenario.OUT_OF_STOCK, Scenario.FEE_REFUSED, Scenario.WITHDRAWS}
)


def cast(
    population: Population,
    customers: int,
    seed: int,
    mix: Mapping[Scenario, float] | None = None,
) -> list[Casting]:
    """`customers` applicants in the `mix` (the rest clean), each a different person, the same
    for a given seed."""
    if customers < 1:
        raise ValueError("the demo needs at least one customer")
    rng = random.Random(seed)
    shares = MIX if mix is None else mix
    counts = {scenario: round(customers * share) for scenario, share in shares.items()}
    while sum(counts.values()) > customers:  # small runs: trim the largest shares
        largest = max(counts, key=lambda s: counts[s])
        counts[largest] -= 1
    plan = [scenario for scenario, count in counts.items() for _ in range(count)]
    plan += [Scenario.CLEAN] * (customers - len(plan))
    rng.shuffle(plan)
    taken: set[str] = set()
    castings: list[Casting] = []
    pools: dict[Scenario, list[Person]] = {}
    for number, scenario in enumerate(plan, start=1):
        pool = pools.get(scenario)
        if pool is None:
            pool = [person for person in population.people if WHO[scenario](person)]
            rng.shuffle(pool)
            pools[scenario] = pool
        person = _next_free(pool, taken) or _next_free(pools_clean(population, pools, rng), taken)
        if person is None:
            raise ValueError(f"the population has too few people for {customers} customers")
        taken.add(person.person_id)
        product, design = _product_for(scenario, rng)
        castings.append(Casting(f"demo-{seed}-{number:05d}", scenario, person, product, design))
    return castings


def pools_clean(
    population: Population, pools: dict[Scenario, list[Person]], rng: random.Random
) -> list[Person]:
    """The clean pool, stand-ins when a scenario's own pool runs dry."""
    if Scenario.CLEAN not in pools:
        pool = [person for person in population.people if WHO[Scenario.CLEAN](person)]
        rng.shuffle(pool)
        pools[Scenario.CLEAN] = pool
    return pools[Scenario.CLEAN]


def _next_free(pool: list[Person], taken: set[str]) -> Person | None:
    while pool:
        person = pool.pop()
        if person.person_id not in taken:
            return person
    return None


def _product_for(scenario: Scenario, rng: random.Random) -> tuple[str, str]:
    if scenario is Scenario.OUT_OF_STOCK:
        return "GOLD", SCARCE_DESIGN
    if scenario in GOLD:
        return "GOLD", "gold-sun"
    return "CLASSIC", rng.choice(("classic-blue", "classic-green"))
