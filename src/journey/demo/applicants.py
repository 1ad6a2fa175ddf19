"""Applications for the simulators' synthetic people: what a customer types into the form."""

from __future__ import annotations

import random

from journey.command_side.issuance.commands import SubmitApplication
from journey.command_side.issuance.events import ConsentGiven, PostalAddress
from journey.query_side.population import Person
from journey.query_side.subjects import subject_key

CONSENT_TEXT_VERSION = "consents-2026-01"
STREETS = ("Av. Libertador", "Calle Mayor", "Rua das Flores", "Av. Providencia", "Carrera 7")
CITIES = {
    "AR": ("Buenos Aires", "C1001"),
    "BR": ("São Paulo", "01001-000"),
    "CL": ("Santiago", "8320000"),
    "CO": ("Bogotá", "110111"),
    "EC": ("Quito", "170150"),
    "MX": ("Ciudad de México", "06000"),
    "PE": ("Lima", "15001"),
}


def address_of(person: Person) -> PostalAddress:
    """A plausible address for the person (the population has none), the same every time."""
    rng = random.Random(person.person_id)
    city, postal_code = CITIES.get(person.country, ("Capital", "1000"))
    return PostalAddress(
        line1=f"{rng.choice(STREETS)} {rng.randint(1, 4999)}",
        line2=f"Depto {rng.randint(1, 40)}" if rng.random() < 0.4 else None,
        city=city,
        postal_code=postal_code,
        country=person.country,
    )


def application_for(
    person: Person,
    *,
    application_id: str,
    product_code: str,
    design_code: str,
    bureau_consent: bool = True,
) -> SubmitApplication:
    """The application this person would submit for a product, consenting to what it needs."""
    return SubmitApplication(
        application_id=application_id,
        customer_id=subject_key(person.country, person.national_id),
        country=person.country,
        national_id=person.national_id,
        given_names=person.given_names,
        surnames=list(person.surnames),
        birth_date=person.birth_date,
        email=person.email,
        phone=person.phone,
        address=address_of(person),
        product_code=product_code,
        design_code=design_code,
        channel="web",
        consents=[
            ConsentGiven(purpose="processing", text_version=CONSENT_TEXT_VERSION, granted=True),
            ConsentGiven(
                purpose="bureau", text_version=CONSENT_TEXT_VERSION, granted=bureau_consent
            ),
            ConsentGiven(
                purpose="marketing_email", text_version=CONSENT_TEXT_VERSION, granted=False
            ),
        ],
    )
