"""How alike two name tokens are, and how token pairs add up to a name score.

Token rule (`token_similarity`), first that applies:

1. the same token: 1.0;
2. an initial against a token starting with that letter: 0.8 ("A" for "ANTONIO");
3. the same Spanish phonetic key (`GONZALEZ`/`GONZALES`): Jaro-Winkler, at least 0.95;
4. one edit apart (optimal string alignment: substitution, insertion, deletion or adjacent
   transposition) when the longer has 4 letters or more and the shorter 3 or more
   (`PEREZ`/`PERZE`, `VEGA`/`VEA`): Jaro-Winkler;
5. the same Metaphone key, both of 4 letters or more, and Jaro-Winkler at least 0.80
   (`MOHAMMED`/`MUHAMMAD`; Metaphone drops vowels, so short names like `ANA`/`ANE` collide);
6. otherwise 0: the tokens do not match.

Name rule (`name_score`): tokens are paired greedily, best pair first, each token used once, in
any order (so reordered names score like ordered ones). With pair weight w = mean of the two
token weights (1 for a token, 0.5 for an initial):

    score = sum(similarity * w) / (sum(w) + a * unmatched screened + b * unmatched listed)

(the unmatched terms are the summed weights of the tokens left unpaired on each side).

`a` is heavy (a screened token the list does not have is evidence of another person); `b` is
light (forms and applicants often leave out a second surname or a middle name).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import jellyfish
from rapidfuzz.distance import OSA, JaroWinkler

from journey.query_side.restrictive_lists.normalize import is_initial, spanish_key

INITIAL_SIMILARITY = 0.8
PHONETIC_FLOOR = 0.95
METAPHONE_MIN_SIMILARITY = 0.80
MIN_FUZZY_LENGTH = 3  # of the shorter token
MIN_FUZZY_LONGER = 4  # of the longer one: two 3-letter tokens one edit apart are other names
MAX_EDITS = 1
INITIAL_WEIGHT = 0.5
MAX_INITIAL_PAIR_CREDIT = max(INITIAL_SIMILARITY * (INITIAL_WEIGHT + 1) / 2, INITIAL_WEIGHT)
"""The most a screened initial can add to a score's numerator (used by the index's bound)."""


@dataclass(frozen=True, slots=True)
class Token:
    """A normalized token with its phonetic keys, computed once."""

    text: str
    spanish: str
    metaphone: str
    initial: bool
    weight: float


@functools.lru_cache(maxsize=262_144)
def token(text: str) -> Token:
    """The token for a normalized text (cached: names share few distinct tokens)."""
    initial = is_initial(text)
    return Token(
        text=text,
        spanish=spanish_key(text),
        metaphone=jellyfish.metaphone(text) if text.isalpha() else text,
        initial=initial,
        weight=INITIAL_WEIGHT if initial else 1.0,
    )


def token_similarity(a: Token, b: Token) -> float:
    """How alike two tokens are, 0 (no match) to 1 (the same); see the module docstring."""
    if a.text == b.text:
        return 1.0
    if a.initial or b.initial:
        return INITIAL_SIMILARITY if a.text[0] == b.text[0] else 0.0
    if a.spanish == b.spanish:
        return max(PHONETIC_FLOOR, JaroWinkler.normalized_similarity(a.text, b.text))
    shorter, longer = sorted((len(a.text), len(b.text)))
    if (
        shorter >= MIN_FUZZY_LENGTH
        and longer >= MIN_FUZZY_LONGER
        and longer - shorter <= MAX_EDITS
        and OSA.distance(a.text, b.text, score_cutoff=MAX_EDITS) <= MAX_EDITS
    ):
        return JaroWinkler.normalized_similarity(a.text, b.text)
    if a.metaphone == b.metaphone and shorter >= MIN_FUZZY_LONGER:
        similarity = JaroWinkler.normalized_similarity(a.text, b.text)
        if similarity >= METAPHONE_MIN_SIMILARITY:
            return similarity
    return 0.0


def name_score(
    matrix: Sequence[Sequence[float]],
    screened_weights: Sequence[float],
    listed_weights: Sequence[float],
    *,
    extra_screened_weight: float,
    extra_listed_weight: float,
) -> tuple[float, frozenset[int]]:
    """The name score from a token similarity matrix (screened x listed), and the listed
    token positions that were paired."""
    cells = sorted(
        (
            (-similarity, i, j)
            for i, row in enumerate(matrix)
            for j, similarity in enumerate(row)
            if similarity > 0
        ),
    )
    used_screened: set[int] = set()
    used_listed: set[int] = set()
    numerator = 0.0
    paired_weight = 0.0
    for negative, i, j in cells:
        if i in used_screened or j in used_listed:
            continue
        used_screened.add(i)
        used_listed.add(j)
        weight = (screened_weights[i] + listed_weights[j]) / 2
        numerator -= negative * weight
        paired_weight += weight
    if not used_screened:
        return 0.0, frozenset()
    unmatched_screened = sum(w for i, w in enumerate(screened_weights) if i not in used_screened)
    unmatched_listed = sum(w for j, w in enumerate(listed_weights) if j not in used_listed)
    denominator = (
        paired_weight
        + extra_screened_weight * unmatched_screened
        + extra_listed_weight * unmatched_listed
    )
    return numerator / denominator, frozenset(used_listed)
