"""Our CSV format for PEP and internal lists (documented in `docs/screening.md`).

UTF-8, comma-separated, RFC 4180 quoting, a header row naming the columns (any order; unknown
columns are ignored). `entry_id` and `name` are required; multi-valued cells separate values
with `;`:

| column | content |
|---|---|
| `entry_id` | unique within the file |
| `name` | `Given Names Surnames`, or `SURNAMES, Given Names` (which marks the surnames) |
| `aliases` | other names, `;`-separated |
| `birth_date` | `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, `;`-separated when unsure |
| `countries` | ISO 3166-1 alpha-2 codes (nationality, residence), `;`-separated |
| `gender` | `F`, `M` or empty |
| `topics` | e.g. `role.pep`, `role.rca`; empty: the list's default |
| `programs` | free labels, `;`-separated |
| `position` | e.g. the office a PEP holds |
| `remarks` | free text (not used for matching) |
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from journey.query_side.restrictive_lists.countries import is_country_code
from journey.query_side.restrictive_lists.entries import (
    BirthDate,
    Gender,
    ListedName,
    ListEntry,
    LoadedList,
)
from journey.query_side.restrictive_lists.lists.dates import parse_iso_birth
from journey.query_side.restrictive_lists.lists.errors import ListFormatError
from journey.query_side.restrictive_lists.lists.files import decode, digest, read_bytes
from journey.query_side.restrictive_lists.normalize import parse_name

COLUMNS = (
    "entry_id", "name", "aliases", "birth_date", "countries", "gender", "topics", "programs",
    "position", "remarks",
)  # fmt: skip
REQUIRED = ("entry_id", "name")


def load_simple_csv(path: Path, *, list_name: str, default_topics: tuple[str, ...]) -> LoadedList:
    """A PEP or internal list in our CSV format."""
    data = read_bytes(path)
    reader = csv.reader(io.StringIO(decode(data), newline=""), strict=True)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        missing = [column for column in REQUIRED if column not in header]
        if missing:
            raise ListFormatError(path, 1, f"the header lacks the column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise ListFormatError(
                    path, line, f"{len(row)} fields but the header names {len(header)}"
                )
            cells = {column: value.strip() for column, value in zip(header, row, strict=False)}
            entry = _entry(path, line, cells, list_name, default_topics)
            if entry.entry_id in seen:
                raise ListFormatError(path, line, f"entry_id {entry.entry_id} appears twice")
            seen.add(entry.entry_id)
            entries.append(entry)
    except csv.Error as error:
        raise ListFormatError(path, reader.line_num, f"not valid CSV ({error})") from None
    return LoadedList(
        name=list_name,
        version=digest([(path.name.lower(), data)]),
        entries=tuple(entries),
        files=(path.name,),
    )


def _many(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _entry(
    path: Path, line: int, cells: dict[str, str], list_name: str, default: tuple[str, ...]
) -> ListEntry:
    entry_id, name = cells.get("entry_id", ""), cells.get("name", "")
    if not entry_id:
        raise ListFormatError(path, line, "entry_id is empty")
    if not parse_name(name).tokens:
        raise ListFormatError(path, line, f"entry {entry_id} has no name")
    births: list[BirthDate] = []
    for value in _many(cells.get("birth_date", "")):
        birth = parse_iso_birth(value)
        if birth is None:
            raise ListFormatError(
                path, line, f"birth_date {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY"
            )
        births.append(birth)
    countries = [code.upper() for code in _many(cells.get("countries", ""))]
    unknown = [code for code in countries if not is_country_code(code)]
    if unknown:
        raise ListFormatError(path, line, f"unknown country code(s) {', '.join(unknown)}")
    gender_cell = cells.get("gender", "").upper()
    gender: Gender | None
    if gender_cell == "F":
        gender = "F"
    elif gender_cell == "M":
        gender = "M"
    elif gender_cell == "":
        gender = None
    else:
        raise ListFormatError(path, line, f"gender {gender_cell!r} is not F, M or empty")
    aliases = [ListedName(alias, "alias") for alias in _many(cells.get("aliases", ""))]
    return ListEntry(
        list_name=list_name,
        entry_id=entry_id,
        names=(ListedName(name), *aliases),
        birth_dates=tuple(births),
        countries=frozenset(countries),
        gender=gender,
        topics=tuple(_many(cells.get("topics", ""))) or default,
        programs=tuple(_many(cells.get("programs", ""))),
        position=cells.get("position") or None,
    )
