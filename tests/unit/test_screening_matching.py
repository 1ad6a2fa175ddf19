"""Matching rules: token similarity, name scores, aliases, qualifiers, and a lossless index."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journey.benchmarks.screening import variants
from journey.query_side.population import Population
from journey.query_side.restrictive_lists.entries import (
    BirthDate,
    Gender,
    ListedName,
    ListEntry,
    ListSet,
    LoadedList,
)
from journey.query_side.restrictive_lists.index import minimum_matches
from journey.query_side.restrictive_lists.matcher import EntryMatch, Matcher
from journey.query_side.restrictive_lists.model import Outcome
from journey.query_side.restrictive_lists.policy import MatchPolicy
from journey.query_side.restrictive_lists.qualifiers import Query
from journey.query_side.restrictive_lists.similarity import token, token_similarity

DEFAULT = MatchPolicy()
LOOSE = MatchPolicy(drop_threshold=0.3, review_threshold=0.3, match_threshold=0.99)  # see scores


def person(
    entry_id: str,
    name: str,
    *aliases: str,
    weak: tuple[str, ...] = (),
    born: BirthDate | None = None,
    countries: tuple[str, ...] = (),
    gender: Gender | None = None,
    list_name: str = "OFAC-SDN",
) -> ListEntry:
    return ListEntry(
        list_name=list_name,
        entry_id=entry_id,
        names=(
            ListedName(name),
            *(ListedName(alias, "alias") for alias in aliases),
            *(ListedName(alias, "weak_alias") for alias in weak),
        ),
        birth_dates=(born,) if born else (),
        countries=frozenset(countries),
        gender=gender,
        topics=("sanction",),
    )


def lists_of(*entries: ListEntry) -> ListSet:
    names = sorted({entry.list_name for entry in entries})
    return ListSet(
        tuple(
            LoadedList(name, "v1", tuple(e for e in entries if e.list_name == name), ("x",))
            for name in names
        )
    )


def screen(
    entries: list[ListEntry], name: str, policy: MatchPolicy = DEFAULT, **known: object
) -> list[EntryMatch]:
    query = Query(name, **known)  # type: ignore[arg-type]
    return Matcher(lists_of(*entries), policy).match(query)


JOSE_ANTONIO = person(
    "29001", "PEREZ GONZALEZ, Jose Antonio", born=BirthDate.exact(date(1968, 3, 14))
)


# -- tokens ----------------------------------------------------------------------------------------
def test_token_similarity_follows_its_rules() -> None:
    def sim(a: str, b: str) -> float:
        return token_similarity(token(a), token(b))

    assert sim("PEREZ", "PEREZ") == 1.0
    assert sim("A", "ANTONIO") == 0.8  # an initial
    assert sim("A", "JOSE") == 0.0
    assert sim("GONZALEZ", "GONZALES") >= 0.95  # same Spanish sound
    assert 0.9 < sim("PEREZ", "PERZE") < 1.0  # one transposition
    assert 0.8 < sim("VEGA", "VEA") < 1.0  # one deletion in a short name
    assert sim("ANA", "ANE") == 0.0  # two 3-letter names one letter apart are other names
    assert sim("MOHAMMED", "MUHAMMAD") >= 0.8  # same Metaphone key, close spelling
    assert sim("PEREZ", "PARIS") == 0.0  # same Metaphone key, too far apart
    assert sim("GONZALEZ", "GOMEZ") == 0.0


# -- names -----------------------------------------------------------------------------------------
def test_the_issue_example_is_a_hit_despite_reordering_respelling_and_an_initial() -> None:
    [match] = screen([JOSE_ANTONIO], "GONZALES PEREZ JOSE A")
    assert match.outcome is Outcome.HIT
    # GONZALES~GONZALEZ 0.95, PEREZ 1, JOSE 1, A~ANTONIO 0.8 at weight 0.75.
    assert match.score == pytest.approx((0.95 + 1 + 1 + 0.8 * 0.75) / 3.75, abs=1e-4)
    assert match.matched.text == "PEREZ GONZALEZ, Jose Antonio"


def test_word_order_does_not_matter() -> None:
    ordered = screen([JOSE_ANTONIO], "Jose Antonio Perez Gonzalez")
    reordered = screen([JOSE_ANTONIO], "GONZALEZ JOSE PEREZ ANTONIO")
    assert ordered[0].score == reordered[0].score == 1.0


def test_a_missing_second_surname_is_a_possible_match_and_a_hit_with_the_birth_date() -> None:
    entry = person("1", "PEREZ GONZALEZ, Jose", born=BirthDate.exact(date(1968, 3, 14)))
    [alone] = screen([entry], "José Pérez")
    assert alone.score == pytest.approx(2 / 2.2, abs=1e-4)
    assert alone.outcome is Outcome.POSSIBLE_MATCH
    [with_birth] = screen([entry], "José Pérez", birth_date=date(1968, 3, 14))
    assert with_birth.outcome is Outcome.HIT


def test_a_name_the_list_does_not_have_costs_more_than_one_the_form_left_out() -> None:
    entry = person("1", "PEREZ GONZALEZ, Jose")
    [missing] = screen([entry], "Jose Perez", LOOSE)
    [extra] = screen([entry], "Jose Luis Perez Gonzalez", LOOSE)
    assert extra.score == pytest.approx(3 / 3.8, abs=1e-4)
    assert missing.score > DEFAULT.review_threshold > extra.score


def test_names_sharing_only_a_common_given_name_or_surname_are_not_raised() -> None:
    assert screen([JOSE_ANTONIO], "Maria Perez Lopez") == []
    assert screen([JOSE_ANTONIO], "Jose Lopez Ramirez") == []


def test_when_the_list_marks_surnames_a_match_on_given_names_alone_scores_lower() -> None:
    marked = person("1", "PEREZ, Jose Antonio")
    unmarked = person("2", "JOSE ANTONIO PEREZ", list_name="UN")
    by_id = {m.entry.entry_id: m.score for m in screen([marked, unmarked], "Jose Antonio", LOOSE)}
    assert by_id["1"] == pytest.approx(by_id["2"] * DEFAULT.missing_surname_factor, abs=1e-4)
    assert by_id["1"] < DEFAULT.review_threshold <= by_id["2"]


def test_an_alias_matches_and_is_reported_as_the_matched_name() -> None:
    entry = person("1", "PEREZ GONZALEZ, Jose Antonio", "CHEPE PEREZ")
    [match] = screen([entry], "Chepe Pérez")
    assert match.matched == ListedName("CHEPE PEREZ", "alias")
    assert match.outcome is Outcome.HIT


def test_weak_aliases_are_not_screened_unless_the_policy_says_so() -> None:
    entry = person("1", "PEREZ GONZALEZ, Jose Antonio", weak=("EL CHEPE GORDO",))
    assert screen([entry], "Chepe Gordo") == []
    screened = MatchPolicy(screen_weak_aliases=True)
    [match] = screen([entry], "Chepe Gordo", screened)
    assert match.matched.kind == "weak_alias"
    assert match.score == pytest.approx(screened.weak_alias_factor)


def test_a_weak_alias_alone_is_never_a_hit_even_when_everything_else_agrees() -> None:
    entry = person(
        "1",
        "PEREZ GONZALEZ, Jose Antonio",
        weak=("CHEPE GORDO",),
        born=BirthDate.exact(date(1968, 3, 14)),
        countries=("CO",),
    )
    policy = MatchPolicy(screen_weak_aliases=True, weak_alias_factor=0.9, match_threshold=0.9)
    [match] = screen([entry], "Chepe Gordo", policy, birth_date=date(1968, 3, 14), country="CO")
    assert match.score >= policy.match_threshold
    assert match.outcome is Outcome.POSSIBLE_MATCH


# -- qualifiers ------------------------------------------------------------------------------------
def test_a_different_birth_year_clears_a_namesake_and_the_same_year_leaves_it_for_review() -> None:
    name = "Jose Antonio Perez Gonzalez"
    assert screen([JOSE_ANTONIO], name, birth_date=date(1980, 1, 1)) == []
    [same_year] = screen([JOSE_ANTONIO], name, birth_date=date(1968, 9, 1))
    assert same_year.adjustments == (("birth_date_day_mismatch", -0.10),)
    assert same_year.outcome is Outcome.POSSIBLE_MATCH
    [exact] = screen([JOSE_ANTONIO], "GONZALES PEREZ JOSE A", birth_date=date(1968, 3, 14))
    assert exact.adjustments == (("birth_date_match", 0.05),)
    assert exact.score == pytest.approx(exact.name_score + 0.05, abs=1e-4)


def test_a_birth_year_or_range_is_compared_by_year_only() -> None:
    circa = person("1", "PEREZ, Jose", born=BirthDate.year(1970, approximate=True))
    [inside] = screen([circa], "Jose Perez", birth_date=date(1971, 12, 31))
    assert inside.adjustments == (("birth_year_match", 0.0),)
    assert screen([circa], "Jose Perez", birth_date=date(1975, 1, 1)) == []


def test_country_and_gender_disagreements_lower_the_score() -> None:
    entry = person("1", "PEREZ, Jose", countries=("CO",), gender="M")
    [agree] = screen([entry], "Jose Perez", country="CO", gender="M")
    assert agree.score == 1.0
    [other_country] = screen([entry], "Jose Perez", country="MX")
    assert other_country.score == pytest.approx(0.90)
    assert other_country.outcome is Outcome.POSSIBLE_MATCH
    [other_gender] = screen([entry], "Jose Perez", gender="F")
    assert other_gender.score == pytest.approx(0.80)
    assert screen([entry], "Jose Perez", country="MX", gender="F") == []


def test_hits_come_best_first() -> None:
    entries = [
        person("1", "PEREZ GONZALEZ, Jose"),
        person("2", "PEREZ GONZALEZ, Jose Maria"),
        person("3", "PERES GONZALES, Jose"),
    ]
    found = screen(entries, "Jose Perez Gonzalez")
    assert [m.entry.entry_id for m in found] == ["1", "3", "2"]
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


# -- the index -------------------------------------------------------------------------------------
def test_the_fewest_matched_tokens_follow_from_the_drop_threshold() -> None:
    assert minimum_matches(4, 0, 0.70, 0.8) == 3  # 2 of 4 can reach only 2/3.6
    assert minimum_matches(3, 0, 0.70, 0.8) == 2  # 2 of 3 can reach 2/2.8 = 0.714
    assert minimum_matches(2, 0, 0.70, 0.8) == 2
    assert minimum_matches(1, 4, 0.70, 0.8) == 0  # only initials otherwise: scan everything


def _population_lists(listed: int) -> tuple[ListSet, Population]:
    population = Population(seed=7, size=400, listed=listed)
    entries = [
        person(
            p.entry_id,
            f"{' '.join(p.surnames)}, {p.given_names}",
            *(alias for alias in p.aliases if "'" not in alias),
            born=BirthDate.exact(p.birth_date),
            countries=(p.country,),
            gender=p.gender,
            list_name=p.list_name,
        )
        for p in population.listed
    ]
    return lists_of(*entries), population


def test_the_index_finds_exactly_what_scoring_every_name_finds() -> None:
    lists, population = _population_lists(100)
    rng = random.Random(3)
    queries = [Query(name) for e in list(lists.entries())[:15] for _, name in variants(e, rng)]
    queries += [
        Query(p.full_name, p.birth_date, p.country, p.gender) for p in population.people[:40]
    ]
    queries += [Query(p.full_name) for p in population.namesakes()]
    for policy in (DEFAULT, MatchPolicy(drop_threshold=0.5, review_threshold=0.6)):
        indexed, naive = Matcher(lists, policy), Matcher(lists, policy, indexed=False)
        raised = 0
        for query in queries:
            found = indexed.match(query)
            assert found == naive.match(query), query.name
            raised += bool(found)
        assert raised > len(queries) // 3  # the comparison is not between empty answers


_TOKENS = ["JOSE", "JOSEE", "J", "A", "ANTONIO", "PEREZ", "PERES", "PERZE", "GONZALEZ", "GOMEZ"]
_TOKENS += ["LUZ", "LUIZ", "ANA", "ANE", "VEGA", "VEA", "MOHAMMED", "MUHAMMAD", "DE", "SR"]
_NAMES = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    listed=st.lists(_NAMES, min_size=1, max_size=8),
    query=_NAMES.filter(lambda name: any(len(t) > 1 for t in name.split())),
    drop=st.sampled_from([0.4, 0.55, 0.7, 0.85]),
)
def test_the_index_never_misses_a_name_a_full_scan_scores_above_the_drop(
    listed: list[str], query: str, drop: float
) -> None:
    entries = [person(str(n), name) for n, name in enumerate(listed)]
    policy = MatchPolicy(drop_threshold=drop, review_threshold=drop, match_threshold=0.95)
    lists = lists_of(*entries)
    expected = Matcher(lists, policy, indexed=False).match(Query(query))
    assert Matcher(lists, policy).match(Query(query)) == expected
