"""SCPI program headers: short and long forms, optional nodes, numeric suffixes.

A pattern such as `[:SOURce]:FREQuency[:CW]` matches `FREQ`, `sour:freq:cw`, `:SOURCE:FREQUENCY`
but not `FREQuenc` (a keyword is either its short form or its long form, SCPI-99 §6.2.1).
`CALCulate#:MARKer#:X` matches `CALC2:MARK3:X` with suffixes {CALC: 2, MARK: 3}; an omitted
suffix is 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NODE = re.compile(r"(\[)?:?([A-Za-z*]+)(#)?(\])?")
_TOKEN = re.compile(r"^([A-Za-z*]+?)(\d*)$")


@dataclass(frozen=True, slots=True)
class Node:
    short: str
    long: str
    optional: bool
    numbered: bool

    def accepts(self, name: str) -> bool:
        upper = name.upper()
        return upper in (self.short, self.long)


class HeaderPattern:
    """A compiled header pattern; `match` returns the numeric suffixes or None."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.query = pattern.endswith("?")
        body = pattern.rstrip("?")
        self.common = body.startswith("*")
        nodes: list[Node] = []
        position = 0
        while position < len(body):
            match = _NODE.match(body, position)
            if match is None or match.end() == position:
                raise ValueError(f"bad header pattern {pattern!r} at {position}")
            optional = match.group(1) is not None
            word = match.group(2)
            short = "".join(ch for ch in word if ch.isupper() or ch == "*")
            nodes.append(Node(short or word.upper(), word.upper(), optional, bool(match.group(3))))
            position = match.end()
        self.nodes = tuple(nodes)

    def match(self, tokens: list[str]) -> dict[str, int] | None:
        parsed: list[tuple[str, int | None]] = []
        for token in tokens:
            found = _TOKEN.match(token)
            if found is None:
                return None
            parsed.append((found.group(1), int(found.group(2)) if found.group(2) else None))
        return self._match(0, parsed, 0, {})

    def _match(
        self,
        node_index: int,
        tokens: list[tuple[str, int | None]],
        token_index: int,
        suffixes: dict[str, int],
    ) -> dict[str, int] | None:
        if node_index == len(self.nodes):
            return suffixes if token_index == len(tokens) else None
        node = self.nodes[node_index]
        if token_index < len(tokens):
            name, suffix = tokens[token_index]
            if node.accepts(name) and (suffix is None or node.numbered):
                found = self._match(
                    node_index + 1,
                    tokens,
                    token_index + 1,
                    {**suffixes, node.short: 1 if suffix is None else suffix},
                )
                if found is not None:
                    return found
        if node.optional:
            return self._match(node_index + 1, tokens, token_index, {**suffixes, node.short: 1})
        return None


def split_header(header: str) -> tuple[list[str], bool, bool]:
    """`:SOUR:FREQ?` → (["SOUR", "FREQ"], is_query=True, absolute=True)."""
    is_query = header.endswith("?")
    body = header[:-1] if is_query else header
    absolute = body.startswith(":")
    tokens = [token for token in body.split(":") if token != ""]
    return tokens, is_query, absolute
