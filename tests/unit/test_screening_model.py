"""What a screening request must hold before anything is screened."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from journey.query_side.restrictive_lists.model import ScreeningSubject


@pytest.mark.parametrize("name", ["", "   ", "J. A.", "-- ..."])
def test_a_subject_needs_a_name_with_a_word_of_two_letters_or_more(name: str) -> None:
    with pytest.raises(ValidationError, match="at least one word of two letters"):
        ScreeningSubject(full_name=name)


def test_given_names_and_surnames_make_the_name() -> None:
    subject = ScreeningSubject(given_names="José Antonio", surnames=("Pérez", "González"))
    assert subject.name == "José Antonio Pérez González"
    with pytest.raises(ValidationError, match="not both"):
        ScreeningSubject(full_name="José Pérez", surnames=("Pérez",))


def test_a_country_is_an_iso_code_and_any_case_is_accepted() -> None:
    assert ScreeningSubject(full_name="Ana Gómez", country="co").country == "CO"
    with pytest.raises(ValidationError, match="unknown country"):
        ScreeningSubject(full_name="Ana Gómez", country="XX")
    with pytest.raises(ValidationError, match="unknown country"):
        ScreeningSubject(full_name="Ana Gómez", country="Colombia")


def test_a_birth_date_in_the_future_or_before_1900_is_refused() -> None:
    with pytest.raises(ValidationError, match="birth date"):
        ScreeningSubject(full_name="Ana Gómez", birth_date=date.today() + timedelta(days=2))
    with pytest.raises(ValidationError, match="birth date"):
        ScreeningSubject(full_name="Ana Gómez", birth_date=date(1850, 1, 1))


def test_unknown_fields_and_genders_are_refused_and_a_subject_cannot_change() -> None:
    with pytest.raises(ValidationError):
        ScreeningSubject(full_name="Ana Gómez", gender="X")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ScreeningSubject(full_name="Ana Gómez", nickname="Anita")  # type: ignore[call-arg]
    subject = ScreeningSubject(full_name="Ana Gómez")
    with pytest.raises(ValidationError):
        subject.full_name = "Someone Else"  # type: ignore[misc]
