"""A simulated CRM: a small stateful service seeded with the population's existing customers."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from journey.query_side.crm.model import CrmCustomer, CustomerFlag, CustomerUpsert, HeldProduct
from journey.query_side.population import Person, Population, default_population
from journey.query_side.simulation import SimulationKnobs
from journey.query_side.subjects import subject_key


class SimulatedCrm:
    name = "crm-sim"

    def __init__(
        self, population: Population | None = None, knobs: SimulationKnobs | None = None
    ) -> None:
        population = population or default_population()
        self.knobs = knobs or SimulationKnobs()
        self._customers: dict[str, CrmCustomer] = {}
        self._applied: dict[str, CrmCustomer] = {}  # idempotency key -> the result it produced
        rng = random.Random(population.seed + 1)
        for person in population.people:
            if person.existing_customer:
                customer = _seeded(person, rng)
                self._customers[subject_key(person.country, person.national_id)] = customer
        self.calls = 0

    async def find_customer(self, country: str, national_id: str) -> CrmCustomer | None:
        self.calls += 1
        await self.knobs.before_call(self.name)
        return self._customers.get(subject_key(country, national_id))

    async def upsert_customer(self, update: CustomerUpsert, *, idempotency_key: str) -> CrmCustomer:
        self.calls += 1
        await self.knobs.before_call(self.name)
        if idempotency_key in self._applied:
            return self._applied[idempotency_key]
        key = subject_key(update.country, update.national_id)
        now = datetime.now(UTC)
        current = self._customers.get(key)
        if current is None:
            current = CrmCustomer(
                customer_id=f"C{len(self._customers) + 1:07d}",
                country=update.country,
                national_id=update.national_id,
                full_name=update.full_name,
                customer_since=now.date(),
                updated_at=now,
            )
        products = list(current.products)
        if update.product is not None and all(
            p.account_id != update.product.account_id for p in products
        ):
            products.append(update.product)
        flags = list(dict.fromkeys([*current.flags, *update.add_flags]))
        updated = current.model_copy(
            update={
                "full_name": update.full_name,
                "email": update.email or current.email,
                "phone": update.phone or current.phone,
                "products": tuple(products),
                "flags": tuple(flags),
                "updated_at": now,
            }
        )
        self._customers[key] = updated
        self._applied[idempotency_key] = updated
        return updated


def _seeded(person: Person, rng: random.Random) -> CrmCustomer:
    since = date(2026, 1, 1) - timedelta(days=rng.randint(90, 365 * 12))
    products = [
        HeldProduct(
            code=rng.choice(("CLASSIC", "GOLD", "SAVINGS", "CHECKING")),
            account_id=f"A{rng.getrandbits(40):010x}",
            opened_on=since,
        )
    ]
    flags: list[CustomerFlag] = []
    score = person.credit.score
    if score is not None and score < 560:
        flags.append("collections")
    if score is not None and score > 800:
        flags.append("vip")
    if rng.random() < 0.02:
        flags.append("fraud_alert")
    if person.registry_status == "DECEASED":
        flags.append("deceased")
    return CrmCustomer(
        customer_id=f"C{int(person.person_id[1:]):07d}",
        country=person.country,
        national_id=person.national_id,
        full_name=person.full_name,
        email=person.email,
        phone=person.phone,
        customer_since=since,
        products=tuple(products),
        flags=tuple(flags),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
