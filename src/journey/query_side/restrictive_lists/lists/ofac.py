"""OFAC SDN in its legacy CSV release: `sdn.csv` + `add.csv` + `alt.csv` (+ `sdn_comments.csv`).

The files have no header row (one is tolerated), are linked by the integer `ent_num`, and write
an empty value as `-0-` (often padded: `-0- `). Individuals are named `"SURNAME, Given Names"`;
birth dates, nationality, gender and weak AKAs live in the free-text remarks
(`"DOB 01 Jan 1970; nationality Colombia; Gender Male; a.k.a. 'EL GORDO'."`).
Entities, vessels and aircraft are counted and left out: we screen people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from journey.query_side.restrictive_lists.countries import country_code
from journey.query_side.restrictive_lists.entries import (
    BirthDate,
    Gender,
    ListedName,
    ListEntry,
    LoadedList,
    NameKind,
)
from journey.query_side.restrictive_lists.lists.dates import parse_ofac_birth
from journey.query_side.restrictive_lists.lists.errors import ListFormatError
from journey.query_side.restrictive_lists.lists.files import csv_rows, digest, read_bytes

LIST_NAME = "OFAC-SDN"
TOPICS = ("sanction",)
SDN_FIELDS = 12  # ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
# GRT, Vess_flag, Vess_owner, Remarks
ADD_FIELDS = 6  # ent_num, Add_num, Address, City/State/Province/Postal Code, Country, Add_remarks
ALT_FIELDS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
COMMENT_FIELDS = 2  # ent_num, Remarks_Extended
_NULL = "-0-"
_ALT_KINDS: dict[str, NameKind] = {"aka": "alias", "fka": "previous_name", "nka": "alias"}

# Remarks are statements separated by "; " and ended by ". " ("DOB 01 Jan 1970; alt. DOB 1971;
# nationality Colombia. ..."); a statement starts with its label.
_STATEMENT_END = re.compile(r";|\.\s+")
_LABELLED = re.compile(r"^(DOB|POB|nationality|citizen|Gender)\s+(.+)$", re.IGNORECASE)
_WEAK_AKA = re.compile(r"a\.k\.a\.\s+'([^']+)'")


@dataclass
class _Person:
    name: str
    programs: tuple[str, ...]
    title: str | None
    remarks: list[str]
    aliases: list[ListedName] = field(default_factory=list)
    address_countries: set[str] = field(default_factory=set)


def load_ofac(
    sdn: Path, *, add: Path | None, alt: Path | None, comments: Path | None
) -> LoadedList:
    """The SDN list's individuals from the CSV release in one directory."""
    readers = ((alt, _read_alt), (add, _read_add), (comments, _read_comments))
    sdn_data = read_bytes(sdn)
    parts = [(sdn, sdn_data)]
    people, known = _read_sdn(sdn, sdn_data)
    for path, reader in readers:
        if path is not None:
            data = read_bytes(path)
            reader(path, data, people, known)
            parts.append((path, data))
    entries = tuple(_entry(ent, person) for ent, person in people.items())
    return LoadedList(
        name=LIST_NAME,
        version=digest([(path.name.lower(), data) for path, data in parts]),
        entries=entries,
        files=tuple(path.name for path, _ in parts),
        skipped=len(known) - len(people),
    )


def _value(cell: str) -> str | None:
    stripped = cell.strip()
    return None if stripped in ("", _NULL) else stripped


def _ent_num(path: Path, line: int, cell: str) -> int:
    try:
        return int(cell.strip())
    except ValueError:
        raise ListFormatError(path, line, f"ent_num {cell.strip()!r} is not a number") from None


def _fields(path: Path, line: int, row: list[str], expected: int) -> None:
    if len(row) < expected:
        raise ListFormatError(path, line, f"expected {expected} fields, found {len(row)}")


def _is_header(row: list[str]) -> bool:
    return row[0].strip().lower() == "ent_num"


def _read_sdn(path: Path, data: bytes) -> tuple[dict[int, _Person], set[int]]:
    people: dict[int, _Person] = {}
    known: set[int] = set()
    for line, row in csv_rows(path, data):
        if _is_header(row):
            continue
        _fields(path, line, row, SDN_FIELDS)
        ent = _ent_num(path, line, row[0])
        if ent in known:
            raise ListFormatError(path, line, f"ent_num {ent} appears twice")
        known.add(ent)
        name = _value(row[1])
        if name is None:
            raise ListFormatError(path, line, "SDN_Name is empty")
        if (_value(row[2]) or "").lower() != "individual":
            continue
        people[ent] = _Person(
            name=name,
            programs=_programs(row[3]),
            title=_value(row[4]),
            remarks=[_value(row[11]) or ""],
        )
    return people, known


def _programs(cell: str) -> tuple[str, ...]:
    # Several programs are written "SDGT] [IRGC".
    value = _value(cell) or ""
    return tuple(p.strip(" []") for p in value.split("] [") if p.strip(" []"))


def _owner(
    path: Path, line: int, cell: str, people: dict[int, _Person], known: set[int]
) -> _Person | None:
    ent = _ent_num(path, line, cell)
    if ent not in known:
        raise ListFormatError(path, line, f"ent_num {ent} is not in sdn.csv")
    return people.get(ent)  # None: an entity, vessel or aircraft


def _read_alt(path: Path, data: bytes, people: dict[int, _Person], known: set[int]) -> None:
    for line, row in csv_rows(path, data):
        if _is_header(row):
            continue
        _fields(path, line, row, ALT_FIELDS)
        person = _owner(path, line, row[0], people, known)
        name = _value(row[3])
        if person is None or name is None:
            continue
        kind = _ALT_KINDS.get((_value(row[2]) or "aka").lower().replace(".", ""), "alias")
        person.aliases.append(ListedName(name, kind))


def _read_add(path: Path, data: bytes, people: dict[int, _Person], known: set[int]) -> None:
    for line, row in csv_rows(path, data):
        if _is_header(row):
            continue
        _fields(path, line, row, ADD_FIELDS)
        person = _owner(path, line, row[0], people, known)
        country = _value(row[4])
        code = country_code(country) if country else None
        if person is not None and code is not None:
            person.address_countries.add(code)


def _read_comments(path: Path, data: bytes, people: dict[int, _Person], known: set[int]) -> None:
    for line, row in csv_rows(path, data):
        if _is_header(row):
            continue
        _fields(path, line, row, COMMENT_FIELDS)
        person = _owner(path, line, row[0], people, known)
        if person is not None:
            person.remarks.append(",".join(row[1:]))


def _entry(ent: int, person: _Person) -> ListEntry:
    remarks = " ".join(person.remarks)
    births: list[BirthDate] = []
    countries = set(person.address_countries)
    gender: Gender | None = None
    for statement in _STATEMENT_END.split(remarks):
        labelled = _LABELLED.match(statement.strip().rstrip("."))
        if labelled is None:
            continue
        label, value = labelled.group(1).lower(), labelled.group(2).strip()
        if label == "dob":
            birth = parse_ofac_birth(value)
            if birth is not None:
                births.append(birth)
        elif label in ("nationality", "citizen", "pob"):
            # A birth place ends with its country: "Cali, Colombia".
            code = country_code(value.rsplit(",", 1)[-1] if label == "pob" else value)
            if code is not None:
                countries.add(code)
        elif value.lower() in ("male", "female"):
            gender = "M" if value.lower() == "male" else "F"
    weak = [ListedName(alias.strip(), "weak_alias") for alias in _WEAK_AKA.findall(remarks)]
    return ListEntry(
        list_name=LIST_NAME,
        entry_id=str(ent),
        names=(ListedName(person.name), *person.aliases, *weak),
        birth_dates=tuple(births),
        countries=frozenset(countries),
        gender=gender,
        topics=TOPICS,
        programs=person.programs,
        position=person.title,
    )
