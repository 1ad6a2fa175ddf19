"""National ids: check digits per country, the cases stdnum lets through, and what we generate."""

from __future__ import annotations

import pytest

from journey.query_side.citizen.national_ids import UnsupportedCountry, validate
from journey.query_side.population import default_population


@pytest.mark.parametrize(
    ("country", "raw", "normalized"),
    [
        ("CL", "76086428-5", "76.086.428-5"),
        ("CO", "213.123.432-1", "213.123.432-1"),
        ("PE", "10117410-2", "101174102"),
        ("PE", "20512333797", "20512333797"),
        ("MX", "BOXW310820HNERXN09", "BOXW310820HNERXN09"),
        ("BR", "390.533.447-05", "390.533.447-05"),
        ("AR", "20-05536168-2", "20-05536168-2"),
        ("EC", "1714307103", "1714307103"),
    ],
)
def test_valid_ids_pass_and_come_back_normalized(country: str, raw: str, normalized: str) -> None:
    check = validate(country, raw)
    assert check.valid, check.reason
    assert check.normalized == normalized


@pytest.mark.parametrize(
    ("country", "raw", "reason"),
    [
        ("CL", "76086428-4", "check digit"),
        ("BR", "390.533.447-06", "check digit"),
        ("MX", "BOXW310820HNERXN08", "check digit"),
        ("EC", "1714307104", "check digit"),
        ("AR", "20-05536168", "shape"),
        ("CO", "213.123.432-9", "check digit"),
    ],
)
def test_a_wrong_check_digit_or_shape_is_refused_with_the_reason(
    country: str, raw: str, reason: str
) -> None:
    check = validate(country, raw)
    assert not check.valid
    assert check.reason is not None
    assert reason in check.reason


def test_a_brazilian_cpf_of_one_repeated_digit_fails_though_its_digits_add_up() -> None:
    from stdnum.br import cpf

    assert cpf.is_valid("111.111.111-11")  # stdnum's arithmetic lets it through...
    check = validate("BR", "111.111.111-11")
    assert not check.valid  # ...no issuer ever gives it out
    assert check.reason == "a CPF of one repeated digit is never issued"


def test_a_colombian_cedula_is_accepted_on_format_and_says_it_has_no_check_digit() -> None:
    check = validate("CO", "1020304050")
    assert check.valid
    assert check.document == "CC"
    assert not check.has_check_digit
    assert check.reason is not None
    assert "no check digit" in check.reason
    assert not validate("CO", "12").valid


def test_a_peruvian_dni_without_its_cui_digit_is_format_checked_only() -> None:
    check = validate("PE", "10117410")
    assert check.valid
    assert not check.has_check_digit
    assert not validate("PE", "10117410-3").valid


def test_an_unsupported_country_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedCountry, match="supported"):
        validate("US", "123-45-6789")


def test_every_id_in_the_synthetic_population_is_valid() -> None:
    for person in default_population().people:
        check = validate(person.country, person.national_id)
        assert check.valid, (person.country, person.national_id, check.reason)
