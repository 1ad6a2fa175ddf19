"""Birth dates as lists write them: OFAC remarks ("01 Jan 1970", "circa 1970", "1965 to 1967"),
UN fields and ISO dates."""

from __future__ import annotations

import re
from datetime import date

from journey.query_side.restrictive_lists.entries import BirthDate

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_OFAC_DATE = re.compile(r"^(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[A-Za-z]*\.?\s+)?(\d{4})$")
_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def parse_ofac_birth(text: str) -> BirthDate | None:
    """One OFAC `DOB` value; None when it is not one of the shapes OFAC uses."""
    value = " ".join(text.split()).rstrip(".")
    approximate = False
    lowered = value.lower()
    for prefix in ("circa ", "approximately ", "approx. "):
        if lowered.startswith(prefix):
            value, approximate = value[len(prefix) :], True
            break
    if " to " in value:
        start, _, end = value.partition(" to ")
        first, last = _ofac_single(start), _ofac_single(end)
        if first is None or last is None or first.year_from > last.year_to:
            return None
        return BirthDate(first.year_from, last.year_to)
    single = _ofac_single(value)
    if single is not None and approximate:
        return BirthDate.year(single.year_from, approximate=True)
    return single


def _ofac_single(text: str) -> BirthDate | None:
    found = _OFAC_DATE.match(text.strip())
    if found is None:
        return None
    day, month_name, year = found.groups()
    month = _MONTHS.get(month_name.upper()) if month_name else None
    if month_name and month is None:
        return None
    if day and month:
        return _exact(int(year), month, int(day))
    if month:
        return BirthDate(int(year), int(year), month)
    return BirthDate.year(int(year))


def parse_iso_birth(text: str) -> BirthDate | None:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY`; None otherwise."""
    found = _ISO_PARTIAL.match(text.strip())
    if found is None:
        return None
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else None
    day = int(found.group(3)) if found.group(3) else None
    if month is None:
        return BirthDate.year(year)
    if not 1 <= month <= 12:
        return None
    if day is None:
        return BirthDate(year, year, month)
    return _exact(year, month, day)


def _exact(year: int, month: int, day: int) -> BirthDate | None:
    try:
        return BirthDate.exact(date(year, month, day))
    except ValueError:
        return None
