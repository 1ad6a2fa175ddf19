"""The UN Security Council Consolidated List, in its XML form (`consolidated.xml`).

`CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL` holds `DATAID` (the entry id), `FIRST_NAME` to
`FOURTH_NAME`, `UN_LIST_TYPE`, `REFERENCE_NUMBER`, `GENDER`, `NATIONALITY/VALUE`,
`INDIVIDUAL_ALIAS` (`QUALITY` Good/a.k.a. = alias, Low = weak alias, f.k.a. = previous name;
`ALIAS_NAME`), `INDIVIDUAL_ADDRESS/COUNTRY`, `INDIVIDUAL_PLACE_OF_BIRTH/COUNTRY` and
`INDIVIDUAL_DATE_OF_BIRTH` (`TYPE_OF_DATE` EXACT/APPROXIMATELY/BETWEEN with `DATE`, `YEAR`, or
`FROM_YEAR`/`TO_YEAR`). Values carry stray whitespace, which is collapsed. `ENTITIES` are counted
and left out: we screen people. The root's `dateGenerated` is the publication date.

Parsed with expat directly so that errors can name the line; document type declarations are
refused (no entity tricks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.parsers import expat

from journey.query_side.restrictive_lists.countries import country_code
from journey.query_side.restrictive_lists.entries import (
    BirthDate,
    Gender,
    ListedName,
    ListEntry,
    LoadedList,
    NameKind,
)
from journey.query_side.restrictive_lists.lists.dates import parse_iso_birth
from journey.query_side.restrictive_lists.lists.errors import ListFormatError
from journey.query_side.restrictive_lists.lists.files import digest, read_bytes

LIST_NAME = "UN"
TOPICS = ("sanction",)
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ALIAS_KINDS: dict[str, NameKind] = {
    "good": "alias",
    "a.k.a.": "alias",
    "low": "weak_alias",
    "f.k.a.": "previous_name",
}
_GENDERS: dict[str, Gender] = {"male": "M", "masculino": "M", "female": "F", "femenino": "F"}


@dataclass
class _Node:
    tag: str
    line: int
    attributes: dict[str, str]
    parts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def all(self, tag: str) -> list[_Node]:
        return [child for child in self.children if child.tag == tag]

    def first(self, tag: str) -> _Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def value(self, tag: str) -> str | None:
        child = self.first(tag)
        return (child.text or None) if child is not None else None


def load_un(path: Path) -> LoadedList:
    """The consolidated list's individuals."""
    data = read_bytes(path)
    root = _parse(path, data)
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(path, root.line, f"expected CONSOLIDATED_LIST, found {root.tag}")
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for group in root.all("INDIVIDUALS"):
        for node in group.all("INDIVIDUAL"):
            entry = _entry(path, node)
            if entry.entry_id in seen:
                raise ListFormatError(path, node.line, f"DATAID {entry.entry_id} appears twice")
            seen.add(entry.entry_id)
            entries.append(entry)
    skipped = sum(len(group.all("ENTITY")) for group in root.all("ENTITIES"))
    return LoadedList(
        name=LIST_NAME,
        version=digest([(path.name.lower(), data)]),
        entries=tuple(entries),
        files=(path.name,),
        published=_published(root.attributes.get("dateGenerated", "")),
        skipped=skipped,
    )


def _parse(path: Path, data: bytes) -> _Node:
    parser = expat.ParserCreate()
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        node = _Node(tag, parser.CurrentLineNumber, attributes)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def characters(text: str) -> None:
        if stack:
            stack[-1].parts.append(text)

    def doctype(*_args: object) -> None:
        raise ListFormatError(path, parser.CurrentLineNumber, "a DOCTYPE is not accepted")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise ListFormatError(
            path, error.lineno, f"not well-formed XML ({expat.ErrorString(error.code)})"
        ) from None
    if not roots:
        raise ListFormatError(path, None, "no XML element")
    return roots[0]


def _published(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _entry(path: Path, node: _Node) -> ListEntry:
    dataid = node.value("DATAID")
    if dataid is None:
        raise ListFormatError(path, node.line, "INDIVIDUAL without DATAID")
    parts = [part for tag in _NAME_PARTS if (part := node.value(tag))]
    if not parts:
        raise ListFormatError(path, node.line, f"INDIVIDUAL {dataid} has no name")
    names = [ListedName(" ".join(parts))]
    for alias in node.all("INDIVIDUAL_ALIAS"):
        alias_name = alias.value("ALIAS_NAME")
        if alias_name:
            quality = (alias.value("QUALITY") or "").lower()
            names.append(ListedName(alias_name, _ALIAS_KINDS.get(quality, "alias")))
    countries = set()
    for group in node.all("NATIONALITY"):
        countries.update(_codes(child.text for child in group.all("VALUE")))
    for tag in ("INDIVIDUAL_ADDRESS", "INDIVIDUAL_PLACE_OF_BIRTH"):
        countries.update(_codes(place.value("COUNTRY") or "" for place in node.all(tag)))
    gender = _GENDERS.get((node.value("GENDER") or "").lower())
    programs = tuple(p for p in (node.value("UN_LIST_TYPE"),) if p)
    births = [_birth(birth) for birth in node.all("INDIVIDUAL_DATE_OF_BIRTH")]
    return ListEntry(
        list_name=LIST_NAME,
        entry_id=dataid,
        names=tuple(names),
        birth_dates=tuple(birth for birth in births if birth is not None),
        countries=frozenset(countries),
        gender=gender,
        topics=TOPICS,
        programs=programs,
        reference=node.value("REFERENCE_NUMBER"),
    )


def _codes(values: Iterable[str]) -> set[str]:
    return {code for value in values if value and (code := country_code(value)) is not None}


def _birth(node: _Node) -> BirthDate | None:
    approximate = (node.value("TYPE_OF_DATE") or "").upper() == "APPROXIMATELY"
    exact = node.value("DATE")
    if exact:
        parsed = parse_iso_birth(exact)
        if parsed is not None and approximate:
            return BirthDate.year(parsed.year_from, approximate=True)
        return parsed
    year = node.value("YEAR")
    if year and year.isdigit():
        return BirthDate.year(int(year), approximate=approximate)
    first, last = node.value("FROM_YEAR"), node.value("TO_YEAR")
    if first and last and first.isdigit() and last.isdigit() and int(first) <= int(last):
        return BirthDate(int(first), int(last))
    return None
