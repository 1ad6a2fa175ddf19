"""Matching a name against every loaded list: candidates, name scores, qualifiers, outcome.

`Matcher` finds candidates with the `NameIndex`; `Matcher(indexed=False)` scores every listed
name pairwise with the same formula (the naive comparator the benchmark measures against, and
the reference the index is tested to agree with). Pure and synchronous.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from journey.query_side.restrictive_lists.entries import ListedName, ListEntry, ListSet
from journey.query_side.restrictive_lists.index import IndexedName, NameIndex
from journey.query_side.restrictive_lists.model import Outcome
from journey.query_side.restrictive_lists.normalize import parse_name
from journey.query_side.restrictive_lists.policy import MatchPolicy
from journey.query_side.restrictive_lists.qualifiers import Query, adjustments
from journey.query_side.restrictive_lists.similarity import (
    Token,
    name_score,
    token,
    token_similarity,
)

_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class EntryMatch:
    """A listed person the screened name may be, with the evidence."""

    entry: ListEntry
    matched: ListedName
    name_score: float
    adjustments: tuple[tuple[str, float], ...]
    score: float
    outcome: Outcome


class Matcher:
    """Screens names against a fixed `ListSet` under a `MatchPolicy`."""

    def __init__(self, lists: ListSet, policy: MatchPolicy, *, indexed: bool = True) -> None:
        self.policy = policy
        self.entries: tuple[ListEntry, ...] = tuple(lists.entries())
        self.names: tuple[IndexedName, ...] = tuple(prepare_names(self.entries, policy))
        self.index = NameIndex(self.names) if indexed else None

    def match(self, query: Query) -> list[EntryMatch]:
        """Every entry at or above the review threshold, best first."""
        screened = tuple(token(text) for text in parse_name(query.name).tokens)
        if not screened:
            return []
        weights = [t.weight for t in screened]
        best: dict[int, tuple[float, int]] = {}  # entry -> (best name score, its position)
        for position, matrix in self._matrices(screened):
            name = self.names[position]
            score = self._name_score(name, matrix, weights)
            if score < self.policy.drop_threshold:
                continue
            held = best.get(name.entry)
            # Ties go to the entry's first name (the primary one), whatever the scan order.
            if held is None or (-score, position) < (-held[0], held[1]):
                best[name.entry] = (score, position)
        found = [
            self._decide(query, score, self.names[position]) for score, position in best.values()
        ]
        matches = [match for match in found if match is not None]
        matches.sort(key=lambda m: (-m.score, m.entry.list_name, m.entry.entry_id))
        return matches

    def _matrices(self, screened: Sequence[Token]) -> Iterator[tuple[int, list[list[float]]]]:
        if self.index is None:
            for position, name in enumerate(self.names):
                yield position, [[token_similarity(s, t) for t in name.tokens] for s in screened]
            return
        candidates, similar = self.index.candidates(
            screened,
            drop=self.policy.drop_threshold,
            extra_screened_weight=self.policy.extra_query_token_weight,
        )
        vocabulary = self.index.name_vocabulary
        for position in candidates:
            name = self.names[position]
            ids = vocabulary[position]
            matrix = []
            full = 0
            for s in screened:
                if s.initial:
                    matrix.append([token_similarity(s, t) for t in name.tokens])
                    continue
                matches = similar[full]
                full += 1
                matrix.append(
                    [
                        matches.get(vid, 0.0) if vid >= 0 else token_similarity(s, t)
                        for vid, t in zip(ids, name.tokens, strict=True)
                    ]
                )
            yield position, matrix

    def _name_score(
        self, name: IndexedName, matrix: list[list[float]], weights: Sequence[float]
    ) -> float:
        score, paired = name_score(
            matrix,
            weights,
            [t.weight for t in name.tokens],
            extra_screened_weight=self.policy.extra_query_token_weight,
            extra_listed_weight=self.policy.extra_list_token_weight,
        )
        if name.has_surnames and not any(name.surnames[j] for j in paired):
            score *= self.policy.missing_surname_factor
        return score * name.factor

    def _decide(self, query: Query, score: float, name: IndexedName) -> EntryMatch | None:
        entry = self.entries[name.entry]
        applied = adjustments(query, entry, self.policy)
        final = min(1.0, max(0.0, score + sum(delta for _, delta in applied)))
        final = round(final, _DECIMALS)
        outcome = self.policy.classify(final, weak_alias=name.listed.kind == "weak_alias")
        if outcome is None:
            return None
        return EntryMatch(entry, name.listed, round(score, _DECIMALS), applied, final, outcome)


def prepare_names(entries: Iterable[ListEntry], policy: MatchPolicy) -> Iterator[IndexedName]:
    """Every screenable name of every entry: weak aliases only when the policy screens them,
    names with no token of two characters or more never, duplicates of an entry's names once."""
    for position, entry in enumerate(entries):
        seen: set[tuple[str, ...]] = set()
        for listed in entry.names:
            weak = listed.kind == "weak_alias"
            if weak and not policy.screen_weak_aliases:
                continue
            parsed = parse_name(listed.text)
            if parsed.tokens in seen or not any(len(t) >= 2 for t in parsed.tokens):
                continue
            seen.add(parsed.tokens)
            yield IndexedName(
                entry=position,
                listed=listed,
                tokens=tuple(token(text) for text in parsed.tokens),
                surnames=tuple(text in parsed.surnames for text in parsed.tokens),
                factor=policy.weak_alias_factor if weak else 1.0,
            )
