"""What a loaded list holds, whatever its source format: people, their names and identifiers.

The loaders (`lists/`) turn OFAC, UN and CSV files into these; the matcher reads only these.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

NameKind = Literal["primary", "alias", "weak_alias", "previous_name"]
Gender = Literal["F", "M"]


@dataclass(frozen=True, slots=True)
class ListedName:
    """One name of a listed person as the list writes it, and what kind of name it is."""

    text: str
    kind: NameKind = "primary"


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A birth date as precise as the list gives it: a day, a month, a year or a year range."""

    year_from: int
    year_to: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def exact(cls, value: date) -> BirthDate:
        return cls(value.year, value.year, value.month, value.day)

    @classmethod
    def year(cls, year: int, *, approximate: bool = False) -> BirthDate:
        spread = 1 if approximate else 0
        return cls(year - spread, year + spread)

    @property
    def is_exact(self) -> bool:
        return self.day is not None and self.month is not None and self.year_from == self.year_to

    def covers_year(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to

    def __str__(self) -> str:
        if self.is_exact:
            return f"{self.year_from:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None and self.year_from == self.year_to:
            return f"{self.year_from:04d}-{self.month:02d}"
        if self.year_from == self.year_to:
            return f"{self.year_from:04d}"
        return f"{self.year_from:04d}..{self.year_to:04d}"


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A listed person: the first name is the primary one, the others aliases."""

    list_name: str
    entry_id: str
    names: tuple[ListedName, ...]
    birth_dates: tuple[BirthDate, ...] = ()
    countries: frozenset[str] = frozenset()  # ISO-2: nationality, citizenship, addresses
    gender: Gender | None = None
    topics: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    reference: str | None = None  # e.g. the UN reference number "QDi.001"
    position: str | None = None  # e.g. a PEP's office

    @property
    def primary_name(self) -> str:
        return self.names[0].text


@dataclass(frozen=True, slots=True)
class LoadedList:
    """One list as loaded: its entries and the version clearances are tied to."""

    name: str
    version: str  # a digest of the list's files: any change is a new version
    entries: tuple[ListEntry, ...]
    files: tuple[str, ...]
    published: date | None = None
    skipped: int = 0  # records that are not people (entities, vessels, aircraft)


@dataclass(frozen=True, slots=True)
class ListSet:
    """Every list screened against, in a fixed order."""

    lists: tuple[LoadedList, ...]
    _by_name: dict[str, LoadedList] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {loaded.name: loaded for loaded in self.lists})

    def entries(self) -> Iterator[ListEntry]:
        for loaded in self.lists:
            yield from loaded.entries

    def get(self, name: str) -> LoadedList | None:
        return self._by_name.get(name)

    def __len__(self) -> int:
        return sum(len(loaded.entries) for loaded in self.lists)
