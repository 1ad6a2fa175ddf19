"""The synthetic population every simulator answers from: people as a bank would see them."""

from __future__ import annotations

from collections import Counter

from journey.query_side.population import default_population

CALLING_CODES = {
    "AR": "+54",
    "BR": "+55",
    "CL": "+56",
    "CO": "+57",
    "EC": "+593",
    "MX": "+52",
    "PE": "+51",
}


def test_every_mobile_number_carries_the_persons_own_country_calling_code() -> None:
    for person in default_population().people:
        assert person.phone.startswith(CALLING_CODES[person.country]), (
            person.country,
            person.phone,
        )
        assert person.phone[1:].isdigit()
        assert 11 <= len(person.phone) - 1 <= 13  # E.164: at most 15 digits


def test_no_two_people_share_a_mobile_number() -> None:
    phones = Counter(person.phone for person in default_population().people)
    assert phones.most_common(1)[0][1] == 1
