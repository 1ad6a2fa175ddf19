"""The prequalifier screens an applicant without validating them again: safe only while an
`Applicant` is at least as strict as a `ScreeningSubject`. These tests hold that."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from journey.query_side.citizen.national_ids import COUNTRIES
from journey.query_side.prequalification.model import Applicant
from journey.query_side.restrictive_lists.model import ScreeningSubject
from journey.query_side.screening import screening_subject

# Names as forms carry them (accents, initials, apostrophes, spaces around), and sometimes any
# text at all, past the limits too; each other field valid three times in four. About one
# example in five makes an applicant; the rest must be refused, never reach the screening.
form_names = st.from_regex(r"\s?[A-Za-zÁÉÍÓÚÑÇÃÕáéíóúñçãõ' .,-]{1,40}\s?", fullmatch=True)
names = form_names | form_names | form_names | st.text(max_size=120)

countries = st.sampled_from(sorted(COUNTRIES))
plausible_dates = st.dates(min_value=date(1900, 1, 1), max_value=date.today())
applicants = st.builds(
    dict,
    country=countries | countries | countries | st.text(min_size=2, max_size=2),
    national_id=st.from_regex(r"[0-9A-Z.-]{3,32}", fullmatch=True),
    given_names=names,
    surnames=st.lists(names, min_size=1, max_size=4),
    birth_date=plausible_dates
    | plausible_dates
    | plausible_dates
    | st.dates(min_value=date(1880, 1, 1), max_value=date(2100, 1, 1)),
    gender=st.sampled_from(["F", "M", "X", None]),
)


@settings(max_examples=500, deadline=None)
@given(applicants)
def test_every_applicant_is_either_refused_or_a_subject_the_screening_accepts_as_it_is(
    data: dict[str, object],
) -> None:
    try:
        applicant = Applicant.model_validate(data)
    except ValidationError:
        event("refused")
        return
    event("accepted")
    subject = screening_subject(applicant)
    validated = ScreeningSubject.model_validate(subject.model_dump())
    assert validated == subject
    assert validated.model_dump_json() == subject.model_dump_json()  # the cache key's input


def test_an_applicant_named_by_initials_only_never_reaches_the_screening() -> None:
    data = {
        "country": "CL",
        "national_id": "12345678-5",
        "given_names": "J.",
        "surnames": ["P", "K."],
        "birth_date": date(1980, 1, 1),
    }
    with pytest.raises(ValidationError, match="two letters"):
        Applicant.model_validate(data)
