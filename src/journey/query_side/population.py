"""A deterministic synthetic population behind every simulated outside system.

The civil registry, the CRM, the CDP, the credit bureaus and the restrictive lists all answer
from the same people, drawn from a seed, so a simulated applicant is coherent everywhere (the
registry knows her, the bureau has her file, the CRM may have her as a customer). It includes the
awkward cases a real journey meets: deceased people and cancelled ids, thin files and low scores,
existing customers, politically exposed persons, and near-namesakes of sanctioned persons.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from journey.query_side.citizen.national_ids import COUNTRIES, make_id

RegistryStatus = Literal["VALID", "DECEASED", "CANCELLED"]
Gender = Literal["F", "M"]

GIVEN_F = (
    "María", "Ana", "Lucía", "Carmen", "Rosa", "Isabel", "Camila", "Valentina", "Sofía",
    "Gabriela", "Daniela", "Paula", "Andrea", "Fernanda", "Mariana", "Juliana", "Patricia",
    "Verónica", "Claudia", "Beatriz", "Inés", "Luz", "Marta", "Elena", "Raquel", "Adriana",
    "Natalia", "Ximena", "Florencia", "Agustina", "Renata", "Ana Paula", "María José",
    "Maria Eduarda", "Giovanna", "Letícia", "Lorena", "Teresa", "Silvia", "Catalina",
)  # fmt: skip
GIVEN_M = (
    "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Pedro", "Andrés", "Diego", "Javier",
    "Fernando", "Ricardo", "Alejandro", "Sebastián", "Mateo", "Santiago", "Nicolás", "Tomás",
    "Gabriel", "Rafael", "Héctor", "Raúl", "Óscar", "Iván", "Martín", "Joaquín", "Emilio",
    "João", "Paulo", "Thiago", "Gustavo", "Rodrigo", "Felipe", "Eduardo", "Manuel", "Álvaro",
    "José Antonio", "Juan Carlos", "Luis Alberto", "Víctor",
)  # fmt: skip
SURNAMES = (
    "González", "Rodríguez", "Gómez", "Fernández", "López", "Díaz", "Martínez", "Pérez",
    "García", "Sánchez", "Romero", "Sosa", "Torres", "Álvarez", "Ruiz", "Ramírez", "Flores",
    "Benítez", "Acosta", "Medina", "Herrera", "Suárez", "Aguirre", "Giménez", "Gutiérrez",
    "Pereira", "Rojas", "Molina", "Castro", "Ortiz", "Silva", "Núñez", "Luna", "Juárez",
    "Cabrera", "Ríos", "Morales", "Godoy", "Moreno", "Ferreyra", "Domínguez", "Carrizo",
    "Peralta", "Castillo", "Ledesma", "Quiroga", "Vega", "Vera", "Muñoz", "Ojeda", "Ponce",
    "Villalba", "Cardozo", "Navarro", "Coronel", "Vázquez", "Ramos", "Arias", "Cáceres",
    "Figueroa", "Correa", "Cruz", "Mendoza", "Paredes", "Chávez", "Vargas", "Quispe",
    "Huamán", "Mamani", "Condori", "Santos", "Oliveira", "Souza", "Lima", "Costa", "Almeida",
    "Barbosa", "Ribeiro", "Carvalho", "Araújo", "Zambrano", "Cedeño", "Vélez", "Bravo",
    "Espinoza", "Salazar", "Valencia", "Cárdenas", "Ospina", "Restrepo", "Henao", "Orozco",
    "Hernández", "Jiménez", "Reyes", "Aguilar", "Contreras", "Delgado", "Guerrero", "Estrada",
)  # fmt: skip
PROGRAMS = ("SDNTK", "SDGT", "IRAN", "VENEZUELA-EO13850", "CYBER2", "GLOMAG", "ILLICIT-DRUGS")
PEP_ROLES = (
    "Minister", "Senator", "Deputy", "Judge of the Supreme Court", "Ambassador", "Governor",
    "Mayor", "Central bank director", "General of the armed forces", "State company director",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "correo.example", "mail.example.org", "example.net")
# A mobile number in each country's own format (E.164), unique per person number `n`.
MOBILE_FORMAT = {
    "AR": "+54911{n:08d}",  # 9: mobile, 11: Buenos Aires
    "BR": "+55119{n:08d}",  # 11: São Paulo, then the mobile's leading 9
    "CL": "+569{n:08d}",
    "CO": "+573{n:09d}",  # Colombian mobiles start with 3
    "EC": "+5939{n:08d}",
    "MX": "+5255{n:08d}",  # 55: Mexico City
    "PE": "+519{n:08d}",
}


@dataclass(frozen=True, slots=True)
class CreditAccount:
    kind: Literal["credit_card", "personal_loan", "mortgage", "auto_loan", "telco"]
    opened: date
    limit: int  # in local currency units
    balance: int
    worst_delinquency_days: int  # 0, 30, 60, 90, 120+
    status: Literal["open", "closed", "charged_off"]


@dataclass(frozen=True, slots=True)
class CreditFile:
    """What the bureaus know. `score` is on the 300-850 scale; each bureau rescales it."""

    score: int | None  # None: no file at all
    accounts: tuple[CreditAccount, ...]
    hard_inquiries_12m: int
    soft_inquiries_12m: int
    public_records: tuple[str, ...]  # e.g. "judgment 2023", "bankruptcy 2021"

    @property
    def thin(self) -> bool:
        return self.score is not None and len(self.accounts) < 2


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    country: str
    national_id: str  # normalized as `national_ids.validate` prints it
    given_names: str
    surnames: tuple[str, ...]
    gender: Gender
    birth_date: date
    registry_status: RegistryStatus
    email: str
    phone: str
    device_id: str
    credit: CreditFile
    existing_customer: bool
    pep_role: str | None = None
    namesake_of: str | None = None  # a listed person's entry id this person's name resembles
    death_date: date | None = None

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {' '.join(self.surnames)}"


@dataclass(frozen=True, slots=True)
class ListedPerson:
    """Someone on a sanctions list (OFAC SDN or UN consolidated), with aliases."""

    entry_id: str
    list_name: Literal["OFAC-SDN", "UN"]
    given_names: str
    surnames: tuple[str, ...]
    gender: Gender
    birth_date: date
    country: str
    programs: tuple[str, ...]
    aliases: tuple[str, ...] = field(default=())

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {' '.join(self.surnames)}"


class Population:
    """`size` people over the seven countries plus `listed` sanctioned persons, from `seed`."""

    def __init__(self, seed: int = 2026, size: int = 5000, listed: int = 400) -> None:
        self.seed = seed
        rng = random.Random(seed)
        self.listed: list[ListedPerson] = [_listed(rng, n) for n in range(listed)]
        self.people: list[Person] = []
        for n in range(size):
            self.people.append(_person(rng, n, self.listed))
        self._by_id = {(p.country, _key(p.national_id)): p for p in self.people}
        self._by_person_id = {p.person_id: p for p in self.people}

    def find(self, country: str, national_id: str) -> Person | None:
        """The person holding this id in this country, if any (ids compared without format)."""
        return self._by_id.get((country.upper(), _key(national_id)))

    def get(self, person_id: str) -> Person | None:
        return self._by_person_id.get(person_id)

    def peps(self) -> list[Person]:
        return [p for p in self.people if p.pep_role is not None]

    def namesakes(self) -> list[Person]:
        return [p for p in self.people if p.namesake_of is not None]

    def sample(self, **wanted: object) -> Person:
        """The first person matching every attribute (for tests and demos), e.g.
        `sample(country="CL", registry_status="DECEASED")`."""
        for person in self.people:
            if all(_matches(person, name, value) for name, value in wanted.items()):
                return person
        raise LookupError(f"no one in the population has {wanted}")


@functools.cache
def default_population() -> Population:
    """The shared population of the simulators (built once per process, ~0.2 s)."""
    return Population()


@functools.lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Upper case without accents: the form names are compared and ids keyed in."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.upper()
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def _key(national_id: str) -> str:
    return _NOT_ALNUM.sub("", fold(national_id))


def _matches(person: Person, name: str, value: object) -> bool:
    if name == "thin":
        return person.credit.thin is value
    if name == "has_file":
        return (person.credit.score is not None) is value
    if name == "pep":
        return (person.pep_role is not None) is value
    if name == "namesake":
        return (person.namesake_of is not None) is value
    if name == "score_below":
        return person.credit.score is not None and person.credit.score < int(str(value))
    if name == "score_above":
        return person.credit.score is not None and person.credit.score > int(str(value))
    return bool(getattr(person, name) == value)


def _birth(rng: random.Random) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))


def _listed(rng: random.Random, n: int) -> ListedPerson:
    gender: Gender = rng.choice(("F", "M"))
    given = rng.choice(GIVEN_F if gender == "F" else GIVEN_M)
    surnames = (rng.choice(SURNAMES), rng.choice(SURNAMES))
    aliases = []
    if rng.random() < 0.5:
        aliases.append(f"{fold(surnames[0])} {fold(given).split(' ')[0]}")
    if rng.random() < 0.3:
        aliases.append(f"{given.split(' ')[0]} '{rng.choice(('EL GORDO', 'LA JEFA', 'TITO'))}'")
    return ListedPerson(
        entry_id=str(30_000 + n * 7),
        list_name="OFAC-SDN" if n % 4 else "UN",
        given_names=given,
        surnames=surnames,
        gender=gender,
        birth_date=_birth(rng),
        country=rng.choice(COUNTRIES),
        programs=(rng.choice(PROGRAMS),),
        aliases=tuple(aliases),
    )


def _person(rng: random.Random, n: int, listed: list[ListedPerson]) -> Person:
    country = COUNTRIES[n % len(COUNTRIES)]
    gender: Gender = rng.choice(("F", "M"))
    given = rng.choice(GIVEN_F if gender == "F" else GIVEN_M)
    surnames: tuple[str, ...] = (rng.choice(SURNAMES), rng.choice(SURNAMES))
    birth = _birth(rng)
    namesake_of = None
    if n % 53 == 7 and listed:  # ~2%: shares a listed person's name, but is someone else
        target = listed[rng.randrange(len(listed))]
        given, surnames, gender = target.given_names, target.surnames, target.gender
        if rng.random() < 0.5:
            surnames = surnames[:1]  # only one surname given, as often on forms
        namesake_of = target.entry_id
    status: RegistryStatus = "VALID"
    death = None
    draw = rng.random()
    if draw < 0.02:
        status, death = "DECEASED", birth + timedelta(days=rng.randint(365 * 20, 365 * 70))
        death = min(death, date(2026, 1, 1))
    elif draw < 0.03:
        status = "CANCELLED"
    names = (given, surnames[0], surnames[1] if len(surnames) > 1 else "")
    national_id = make_id(country, rng, birth_date=birth, gender=gender, names=names)
    handle = fold(f"{given.split(' ')[0]}.{surnames[0]}").lower().replace(" ", "")
    return Person(
        person_id=f"P{n:06d}",
        country=country,
        national_id=national_id,
        given_names=given,
        surnames=surnames,
        gender=gender,
        birth_date=birth,
        registry_status=status,
        email=f"{handle}{n}@{rng.choice(EMAIL_DOMAINS)}",
        phone=_mobile(country, n, rng),
        device_id=f"dev-{rng.getrandbits(48):012x}",
        credit=_credit(rng),
        existing_customer=rng.random() < 0.15,
        pep_role=rng.choice(PEP_ROLES) if n % 97 == 11 else None,
        namesake_of=namesake_of,
        death_date=death,
    )


def _mobile(country: str, n: int, rng: random.Random) -> str:
    # The calling code used to be drawn at random, whatever the country; the draw stays so that
    # every later draw, and so the rest of the population, is what it was.
    rng.randrange(7)  # what choosing among seven calling codes drew
    return MOBILE_FORMAT[country].format(n=n)


def _credit(rng: random.Random) -> CreditFile:
    draw = rng.random()
    if draw < 0.07:
        return CreditFile(None, (), 0, 0, ())
    score = max(300, min(850, int(rng.gauss(680, 85))))
    count = 1 if draw < 0.17 else rng.randint(2, 7)  # ~10%: a thin file of one account
    accounts = []
    for _ in range(count):
        opened = date(2026, 1, 1) - timedelta(days=rng.randint(60, 365 * 15))
        limit = rng.choice((500, 1000, 2500, 5000, 10_000, 25_000))
        late = 0
        if score < 600:
            late = rng.choice((0, 30, 60, 90, 120))
        elif score < 680:
            late = rng.choice((0, 0, 0, 30))
        accounts.append(
            CreditAccount(
                kind=rng.choice(("credit_card", "personal_loan", "mortgage", "auto_loan", "telco")),
                opened=opened,
                limit=limit,
                balance=int(limit * rng.random() * (1.2 if score < 600 else 0.6)),
                worst_delinquency_days=late,
                status="charged_off" if late >= 120 else rng.choice(("open", "open", "closed")),
            )
        )
    records: tuple[str, ...] = ()
    if score < 560 and rng.random() < 0.4:
        records = (f"judgment {rng.randint(2018, 2025)}",)
    return CreditFile(
        score=score,
        accounts=tuple(accounts),
        hard_inquiries_12m=rng.randint(0, 6 if score < 620 else 2),
        soft_inquiries_12m=rng.randint(0, 8),
        public_records=records,
    )
