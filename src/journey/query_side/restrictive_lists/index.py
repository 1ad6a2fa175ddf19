"""The candidate index: finds every listed name that could score at or above the drop
threshold, without scoring the whole list.

Two layers:

- a **token vocabulary** (every distinct token of every listed name) with lookup tables for
  each way `token_similarity` can say two tokens match: the token itself, its Spanish key, its
  Metaphone key, and its one-deletion neighbourhood (two tokens one edit apart always share a
  deletion variant). A screened token finds all vocabulary tokens it matches in a few dict
  look-ups, then each is confirmed with `token_similarity` itself;
- **postings**: for each vocabulary token, the names that contain it.

A name's score is at most `bound(k)` when only `k` of the screened name's tokens match any of its
tokens (see `minimum_matches`), so names matching fewer than `k_min` screened tokens are never
scored. The bound is an upper bound of the very formula `name_score` computes, which makes the
index lossless: it returns the same hits as scoring every name (the benchmark checks this).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from journey.query_side.restrictive_lists.entries import ListedName
from journey.query_side.restrictive_lists.similarity import (
    MAX_INITIAL_PAIR_CREDIT,
    MIN_FUZZY_LENGTH,
    Token,
    token_similarity,
)

_CACHE_LIMIT = 100_000  # screened tokens whose vocabulary matches are remembered
_TOLERANCE = 1e-9  # never prune a name that could land exactly on the threshold
_MAX_COMBINATIONS = 20  # above this many intersections, counting is cheaper


@dataclass(frozen=True, slots=True)
class IndexedName:
    """A listed name prepared for scoring."""

    entry: int  # the entry's position in the matcher
    listed: ListedName
    tokens: tuple[Token, ...]
    surnames: tuple[bool, ...]  # per token: the list marks it as a surname
    factor: float  # weak alias factor, or 1

    @property
    def has_surnames(self) -> bool:
        return any(self.surnames)

    @property
    def initials(self) -> int:
        return sum(1 for token in self.tokens if token.initial)


def deletions(text: str) -> set[str]:
    """The text and every text one deletion away from it."""
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


def minimum_matches(full: int, initials: int, drop: float, extra_screened_weight: float) -> int:
    """The fewest screened full tokens a name must match to possibly score `drop` or more.

    With k of `full` tokens matched, the score is at most
    (k + c*initials) / (k + c*initials + a*(full - k)), c being the most an initial can add:
    every matched pair counted at similarity 1, every initial matched, no penalty for unmatched
    listed tokens.
    """
    for k in range(full + 1):
        best = k + MAX_INITIAL_PAIR_CREDIT * initials
        bound = best / (best + extra_screened_weight * (full - k)) if best > 0 else 0.0
        if bound >= drop - _TOLERANCE:
            return k
    return full


class NameIndex:
    """Vocabulary look-up tables and postings over a fixed set of listed names."""

    def __init__(self, names: Sequence[IndexedName]) -> None:
        self._vocabulary: list[Token] = []
        self._ids: dict[str, int] = {}
        postings: list[set[int]] = []
        self.name_vocabulary: list[tuple[int, ...]] = []  # per name: vocabulary id, -1 = initial
        self._with_initials: list[tuple[int, int]] = []  # (name, its initials)
        for position, name in enumerate(names):
            ids = []
            for token in name.tokens:
                if token.initial:
                    ids.append(-1)
                    continue
                vid = self._ids.get(token.text)
                if vid is None:
                    vid = len(self._vocabulary)
                    self._ids[token.text] = vid
                    self._vocabulary.append(token)
                    postings.append(set())
                postings[vid].add(position)
                ids.append(vid)
            self.name_vocabulary.append(tuple(ids))
            if name.initials:
                self._with_initials.append((position, name.initials))
        self._postings = [frozenset(names_with) for names_with in postings]
        self._by_spanish: dict[str, list[int]] = {}
        self._by_metaphone: dict[str, list[int]] = {}
        self._by_deletion: dict[str, list[int]] = {}
        for vid, token in enumerate(self._vocabulary):
            self._by_spanish.setdefault(token.spanish, []).append(vid)
            self._by_metaphone.setdefault(token.metaphone, []).append(vid)
            if len(token.text) >= MIN_FUZZY_LENGTH:
                for variant in deletions(token.text):
                    self._by_deletion.setdefault(variant, []).append(vid)
        self._size = len(names)
        self._cache: dict[str, dict[int, float]] = {}

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocabulary)

    def similar(self, token: Token) -> dict[int, float]:
        """Every vocabulary token `token` matches, with its similarity."""
        cached = self._cache.get(token.text)
        if cached is not None:
            return cached
        found: set[int] = set()
        exact = self._ids.get(token.text)
        if exact is not None:
            found.add(exact)
        found.update(self._by_spanish.get(token.spanish, ()))
        found.update(self._by_metaphone.get(token.metaphone, ()))
        if len(token.text) >= MIN_FUZZY_LENGTH:
            for variant in deletions(token.text):
                found.update(self._by_deletion.get(variant, ()))
        matches = {}
        for vid in found:
            similarity = token_similarity(token, self._vocabulary[vid])
            if similarity > 0:
                matches[vid] = similarity
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[token.text] = matches
        return matches

    def candidates(
        self, screened: Sequence[Token], *, drop: float, extra_screened_weight: float
    ) -> tuple[Collection[int], list[dict[int, float]]]:
        """Names that may score `drop` or more, and per screened full token its matches."""
        full = [token for token in screened if not token.initial]
        similar = [self.similar(token) for token in full]
        needed = minimum_matches(len(full), len(screened) - len(full), drop, extra_screened_weight)
        if needed == 0:
            return range(self._size), similar
        per_token = [self._names_with(matches) for matches in similar]
        found: set[int] = set()
        if math.comb(len(full), needed) <= _MAX_COMBINATIONS:
            # Names in at least `needed` of the sets: the union of every `needed`-way
            # intersection (set operations run in C; counting in Python does not).
            for group in itertools.combinations(per_token, needed):
                smallest, *others = sorted(group, key=len)
                found.update(smallest.intersection(*others))
        else:
            counts: Counter[int] = Counter()
            for names in per_token:
                counts.update(names)
            found = {name for name, count in counts.items() if count >= needed}
        for name, initials in self._with_initials:
            # A screened token may pair with a listed initial, which the postings cannot see.
            if name not in found:
                matched = sum(1 for names in per_token if name in names)
                if min(len(full), matched + initials) >= needed:
                    found.add(name)
        return found, similar

    def _names_with(self, matches: dict[int, float]) -> frozenset[int]:
        if len(matches) == 1:
            return self._postings[next(iter(matches))]
        return frozenset().union(*(self._postings[vid] for vid in matches))
