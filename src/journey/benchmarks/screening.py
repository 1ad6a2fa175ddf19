"""The screening benchmark: screenings/s with the index against a naive pairwise scan, and
recall/precision on a labelled set of name variants, in one run.

1. Synthetic lists of `entries` sanctioned persons (OFAC CSV + UN XML, plus the PEP and internal
   lists) are generated into a temporary directory and loaded through the real loaders.
2. A labelled set is built from the loaded sanctions entries (positives) and from the synthetic
   population (negatives):
   - positives, for each of `sample_entries` entries: the name as listed, with accents and mixed
     case, surnames first, without the second surname, with one typo (one edit in a token of 4+
     letters), with initials, respelled as Spanish allows (Z/S, V/B, LL/Y, J/G, X/J, silent H),
     each strong alias, and the issue's combination (surnames swapped and respelled, initials).
     Half carry the entry's birth date, half its country, a third its gender;
   - negatives: people of the population who are on no list (with their own birth date, country
     and gender), and the population's near-namesakes of listed persons.
3. Every query is screened through `ScreeningEngine.screen` (index); an evenly spread subset is
   screened again with the naive engine (same scoring, every listed name, no index), and the two
   answers are compared.

Recall: positives raised (HIT or POSSIBLE_MATCH) with the right entry among the hits.
Precision: of the screenings raised, the share that were positives with the right entry among the
hits. `alert_precision`: of every hit raised, the share that point at the right entry (split by
whether the request carried a birth date: without one, every listed person with a similar name
is rightly raised too).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from journey.log_config import configure_logging
from journey.query_side.population import GIVEN_F, GIVEN_M, SURNAMES, Person, Population, fold
from journey.query_side.restrictive_lists.entries import ListEntry, ListSet
from journey.query_side.restrictive_lists.generate import DEFAULT_PEOPLE, DEFAULT_SEED, generate
from journey.query_side.restrictive_lists.lists import load_lists
from journey.query_side.restrictive_lists.model import Outcome, ScreeningResult, ScreeningSubject
from journey.query_side.restrictive_lists.normalize import parse_name
from journey.query_side.restrictive_lists.screening import ScreeningEngine

SANCTIONS = ("OFAC-SDN", "UN")
VARIANTS = (
    "exact", "accents", "reordered", "missing_surname", "typo", "initials", "spanish_spelling",
    "alias", "issue_combination",
)  # fmt: skip
_ACCENTED = {fold(name): name for name in (*GIVEN_F, *GIVEN_M, *SURNAMES)}
# Spellings a Spanish speaker may write for the same sound: (pattern, replacement). LL and a Y
# before a vowel sound alike; a final Y is a vowel and keeps its spelling.
_RESPELLINGS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("Z", "S"), ("S", "Z"), ("V", "B"), ("B", "V"), ("LL", "Y"), ("Y(?=[AEIOU])", "LL"),
        ("J(?=[EI])", "G"), ("G(?=[EI])", "J"), ("^X", "J"), ("C(?=[EI])", "S"), ("^H", ""),
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Labelled:
    """A screening request and what a perfect screener would answer."""

    subject: ScreeningSubject
    kind: str  # a variant kind, "unrelated" or "namesake"
    expected: tuple[str, str] | None  # (list, entry id) for positives


def run_screening_benchmark(
    *,
    entries: int = 10_000,
    seed: int = DEFAULT_SEED,
    people: int = DEFAULT_PEOPLE,
    sample_entries: int = 1000,
    negatives: int = 2000,
    naive_queries: int = 60,
    json_output: bool = False,
) -> dict[str, float]:
    """Runs the benchmark and prints a table (or one JSON object); returns the figures."""
    configure_logging("warning")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="journey-screening-") as folder:
        _progress(f"generating {entries:,} listed persons...")
        generate(Path(folder), entries=entries, seed=seed, people=people)
        clock = time.perf_counter()
        lists = load_lists(Path(folder))
        load_s = time.perf_counter() - clock
    clock = time.perf_counter()
    engine = ScreeningEngine(lists)
    index_s = time.perf_counter() - clock
    naive = ScreeningEngine(lists, indexed=False)
    population = Population(seed=seed, size=people, listed=entries)
    labelled = build_labelled_set(
        lists, population, seed=seed, sample_entries=sample_entries, negatives=negatives
    )
    _progress(f"screening {len(labelled):,} names with the index...")
    results, latencies = asyncio.run(_screen_all(engine, labelled))
    step = max(1, len(labelled) // max(1, naive_queries))
    subset = list(range(0, len(labelled), step))[:naive_queries]
    _progress(f"screening {len(subset)} of them with the naive scan...")
    naive_results, naive_latencies = asyncio.run(_screen_all(naive, [labelled[i] for i in subset]))
    agree = sum(
        _same(results[i], naive_result)
        for i, naive_result in zip(subset, naive_results, strict=True)
    )
    figures = _quality(labelled, results)
    screenings_per_s = len(labelled) / sum(latencies)
    naive_per_s = len(subset) / sum(naive_latencies)
    figures.update(
        {
            "screenings_per_s": round(screenings_per_s, 1),
            "naive_screenings_per_s": round(naive_per_s, 2),
            "ratio_vs_naive": round(screenings_per_s / naive_per_s, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 3),
            "p99_ms": round(_percentile(latencies, 0.99) * 1000, 3),
            "naive_p50_ms": round(statistics.median(naive_latencies) * 1000, 1),
            "naive_agreement": round(agree / len(subset), 4),
            "naive_queries": len(subset),
            "entries": sum(1 for entry in lists.entries() if entry.list_name in SANCTIONS),
            "all_entries": len(lists),
            "load_s": round(load_s, 3),
            "index_s": round(index_s, 3),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    if json_output:
        print(json.dumps(figures))
    else:
        _print(figures)
    return figures


async def _screen_all(
    engine: ScreeningEngine, labelled: list[Labelled]
) -> tuple[list[ScreeningResult], list[float]]:
    results = []
    latencies = []
    for item in labelled[:20]:  # warm the caches a real server would have warm
        await engine.screen(item.subject)
    for item in labelled:
        clock = time.perf_counter()
        results.append(await engine.screen(item.subject))
        latencies.append(time.perf_counter() - clock)
    return results, latencies


def _same(a: ScreeningResult, b: ScreeningResult) -> bool:
    def shape(result: ScreeningResult) -> tuple[object, ...]:
        return (
            result.outcome,
            sorted((hit.list_name, hit.entry_id, hit.score, hit.outcome) for hit in result.hits),
        )

    return shape(a) == shape(b)


def _quality(labelled: list[Labelled], results: list[ScreeningResult]) -> dict[str, float]:
    raised = true_raised = positives = found = alerts = true_alerts = 0
    negatives = false_raised = 0
    per_kind: dict[str, list[int]] = {}
    by_birth: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}  # [right alerts, alerts]
    for item, result in zip(labelled, results, strict=True):
        flagged = result.outcome is not Outcome.CLEAR
        hit_ids = {(hit.list_name, hit.entry_id) for hit in result.hits}
        alerts += len(hit_ids)
        raised += flagged
        if item.expected is None:
            negatives += 1
            false_raised += flagged
            continue
        positives += 1
        correct = flagged and item.expected in hit_ids
        found += correct
        true_raised += correct
        true_alerts += item.expected in hit_ids
        tally_birth = by_birth[item.subject.birth_date is not None]
        tally_birth[0] += item.expected in hit_ids
        tally_birth[1] += len(hit_ids)
        tally = per_kind.setdefault(item.kind, [0, 0])
        tally[0] += correct
        tally[1] += 1
    figures: dict[str, float] = {
        "recall": round(found / positives, 4) if positives else 0.0,
        "precision": round(true_raised / raised, 4) if raised else 1.0,
        "alert_precision": round(true_alerts / alerts, 4) if alerts else 1.0,
        "alert_precision_with_birth_date": _ratio(*by_birth[True]),
        "alert_precision_without_birth_date": _ratio(*by_birth[False]),
        "false_positive_rate": round(false_raised / negatives, 4) if negatives else 0.0,
        "queries": len(labelled),
        "positives": positives,
        "negatives": negatives,
    }
    for kind, (hits, total) in sorted(per_kind.items()):
        figures[f"recall_{kind}"] = round(hits / total, 4)
    return figures


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- the labelled set ------------------------------------------------------------------------------
def build_labelled_set(
    lists: ListSet,
    population: Population,
    *,
    seed: int = DEFAULT_SEED,
    sample_entries: int = 1000,
    negatives: int = 2000,
) -> list[Labelled]:
    """Positive variants of sampled sanctions entries, then negatives from the population."""
    rng = random.Random(seed)
    sanctioned = [
        entry for name in SANCTIONS if (loaded := lists.get(name)) for entry in loaded.entries
    ]
    chosen = rng.sample(sanctioned, min(sample_entries, len(sanctioned)))
    labelled: list[Labelled] = []
    for entry in chosen:
        for kind, text in variants(entry, rng):
            subject = _positive_subject(entry, text, len(labelled), rng)
            labelled.append(Labelled(subject, kind, (entry.list_name, entry.entry_id)))
    listed_names = {
        fold(entry.primary_name) for entry in lists.entries() if entry.list_name not in SANCTIONS
    }
    unrelated = [
        p for p in population.people
        if p.pep_role is None and p.namesake_of is None and fold(p.full_name) not in listed_names
    ]  # fmt: skip
    for person in unrelated[:negatives]:
        labelled.append(Labelled(_person_subject(person), "unrelated", None))
    for person in population.namesakes():
        if person.pep_role is not None or fold(person.full_name) in listed_names:
            continue  # a namesake of a sanctioned person who is also on the PEP or internal list
        labelled.append(Labelled(_person_subject(person), "namesake", None))
    return labelled


def variants(entry: ListEntry, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(kind, name) for each way an applicant may write this listed person's name."""
    given, surnames = _split(entry.primary_name)
    full = [*given, *surnames]
    yield "exact", " ".join(full)
    yield "accents", " ".join(_ACCENTED.get(token, token.title()) for token in full)
    yield "reordered", " ".join([*surnames, *given])
    if len(surnames) > 1:
        yield "missing_surname", " ".join([*given, *surnames[:-1]])
    typo = _typo(full, rng)
    if typo is not None:
        yield "typo", " ".join(typo)
    yield "initials", " ".join(_initials(given) + surnames)
    respelled = _respell(surnames)
    if respelled is not None:
        yield "spanish_spelling", " ".join([*given, *respelled])
    elif (respelled_given := _respell(given)) is not None:
        yield "spanish_spelling", " ".join([*respelled_given, *surnames])
    for listed in entry.names[1:]:
        if listed.kind in ("alias", "previous_name"):
            yield "alias", " ".join(parse_name(listed.text).tokens)
    combined = list(reversed(surnames))
    combined = _respell(combined) or combined
    yield "issue_combination", " ".join([*combined, *_initials(given)])


def _split(name: str) -> tuple[list[str], list[str]]:
    parsed = parse_name(name)
    tokens = list(parsed.tokens)
    if parsed.surnames:
        given = [t for t in tokens if t not in parsed.surnames]
        return given, [t for t in tokens if t in parsed.surnames]
    # No marked surnames (UN lists): the last two tokens are the surnames of a Hispanic name.
    cut = max(1, len(tokens) - 2)
    return tokens[:cut], tokens[cut:]


def _initials(given: list[str]) -> list[str]:
    if len(given) > 1:
        return [given[0], *(token[0] for token in given[1:])]
    return [token[0] for token in given]


def _typo(tokens: list[str], rng: random.Random) -> list[str] | None:
    """The tokens with one edit (substitution, deletion, insertion or transposition) inside one
    token of 4 letters or more; the first letter stays, as it mostly does in typos."""
    long_enough = [i for i, token in enumerate(tokens) if len(token) >= 4]
    if not long_enough:
        return None
    i = rng.choice(long_enough)
    original = tokens[i]
    word = original
    while word == original:  # an edit can leave the word unchanged (same letter, twin letters)
        at = rng.randrange(1, len(original) - 1)
        edit = rng.choice(("substitute", "delete", "insert", "transpose"))
        letter = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if edit == "substitute":
            word = original[:at] + letter + original[at + 1 :]
        elif edit == "delete":
            word = original[:at] + original[at + 1 :]
        elif edit == "insert":
            word = original[:at] + letter + original[at:]
        else:
            word = original[:at] + original[at + 1] + original[at] + original[at + 2 :]
    return [*tokens[:i], word, *tokens[i + 1 :]]


def _respell(tokens: list[str]) -> list[str] | None:
    """The tokens with the first Spanish respelling that applies, or None."""
    for i, token in enumerate(tokens):
        for pattern, replacement in _RESPELLINGS:
            respelled = pattern.sub(replacement, token, count=1)
            if respelled != token:
                return [*tokens[:i], respelled, *tokens[i + 1 :]]
    return None


def _positive_subject(
    entry: ListEntry, text: str, number: int, rng: random.Random
) -> ScreeningSubject:
    birth = None
    if number % 2 == 0 and entry.birth_dates:
        listed = entry.birth_dates[0]
        birth = date(listed.year_from, listed.month or 7, listed.day or 1)
    country = sorted(entry.countries)[0] if entry.countries and rng.random() < 0.5 else None
    gender = entry.gender if number % 3 == 0 else None
    return ScreeningSubject(full_name=text, birth_date=birth, country=country, gender=gender)


def _person_subject(person: Person) -> ScreeningSubject:
    return ScreeningSubject(
        full_name=person.full_name,
        birth_date=person.birth_date,
        country=person.country,
        gender=person.gender,
    )


# -- output --------------------------------------------------------------------------------------
def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print(figures: dict[str, float]) -> None:
    lines = [
        f"restrictive lists: {int(figures['entries']):,} sanctions entries "
        f"({int(figures['all_entries']):,} with PEP and internal), "
        f"loaded in {figures['load_s']} s, indexed in {figures['index_s']} s",
        f"indexed        {figures['screenings_per_s']:>10,.1f} screenings/s   "
        f"p50 {figures['p50_ms']} ms   p99 {figures['p99_ms']} ms",
        f"naive scan     {figures['naive_screenings_per_s']:>10,.2f} screenings/s   "
        f"p50 {figures['naive_p50_ms']} ms   ({int(figures['naive_queries'])} queries)",
        f"ratio          {figures['ratio_vs_naive']:>10,.1f}x   same answers on "
        f"{figures['naive_agreement']:.2%} of the naive queries",
        f"labelled set   {int(figures['positives']):,} positives, "
        f"{int(figures['negatives']):,} negatives",
        f"recall         {figures['recall']:.2%}   precision {figures['precision']:.2%}   "
        f"false positive rate {figures['false_positive_rate']:.2%}",
        f"alert precision {figures['alert_precision']:.2%} (with a birth date "
        f"{figures['alert_precision_with_birth_date']:.2%}, without "
        f"{figures['alert_precision_without_birth_date']:.2%})",
        "recall by variant: "
        + ", ".join(
            f"{key.removeprefix('recall_')} {value:.1%}"
            for key, value in figures.items()
            if key.startswith("recall_")
        ),
        f"({figures['seconds']} s)",
    ]
    print("\n".join(lines))
