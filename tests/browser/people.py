"""People from the simulators' synthetic population, chosen for what a test needs them to be,
and the application each would type in (for scenes set through the API)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from journey.demo.applicants import application_for
from journey.query_side.population import Person, default_population


def _creditworthy(candidate: Person) -> bool:
    credit = candidate.credit
    return (
        candidate.namesake_of is None
        and credit.score is not None
        and credit.score >= 760
        and not credit.thin
        and not credit.public_records
    )


def _people(wanted: Callable[[Person], bool]) -> Iterator[Person]:
    return (p for p in default_population().people if wanted(p) and _creditworthy(p))


def clean(country: str, nth: int = 0) -> Person:
    """A valid, creditworthy person of `country` on no list: approved straight away."""
    found = _people(
        lambda p: p.country == country and p.registry_status == "VALID" and p.pep_role is None
    )
    for _ in range(nth):
        next(found)
    return next(found)


def pep(nth: int = 0) -> Person:
    """A politically exposed person with a good credit file: referred to an analyst."""
    found = _people(lambda p: p.registry_status == "VALID" and p.pep_role is not None)
    for _ in range(nth):
        next(found)
    return next(found)


def application_body(
    who: Person, product: str = "GOLD", design: str = "gold-sun"
) -> dict[str, Any]:
    """What `POST /applications` takes for this person (the pages send the same)."""
    command = application_for(
        who, application_id="unused", product_code=product, design_code=design
    )
    return command.model_dump(mode="json", exclude={"customer_id", "application_id"})
