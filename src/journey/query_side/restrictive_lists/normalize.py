"""Names to comparable tokens: folding, punctuation, honorifics, particles, phonetic keys.

Everything here is pure and deterministic. A name becomes a tuple of upper-case ASCII tokens
(`"Sr. José Pérez-Gómez"` -> `("JOSE", "PEREZ", "GOMEZ")`); lists written `"SURNAMES, Given
Names"` (OFAC, many aliases) also say which tokens are surnames. `spanish_key` maps spellings a
Spanish or Portuguese speaker pronounces alike to one key (`GONZALEZ`/`GONZALES`,
`JIMENEZ`/`GIMENEZ`/`XIMENEZ`, `VELEZ`/`BELEZ`, `CARVALHO`/`CARVALLO`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from journey.query_side.population import fold

# Letters NFKD does not decompose into a base letter plus accents.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "O", "ø": "O", "Ł": "L", "ł": "L",
        "Đ": "D", "đ": "D", "Þ": "TH", "þ": "TH", "Œ": "OE", "œ": "OE", "\u0131": "I",  # dotless i
    }
)  # fmt: skip
# Apostrophes join (O'BRIEN -> OBRIEN); quotes around nicknames simply disappear.
_APOSTROPHES = re.compile("['\u2018\u2019`\u00b4\"\u201c\u201d]")
_SEPARATORS = re.compile(r"[^A-Z0-9]+")

HONORIFICS = frozenset(
    {
        "MR", "MRS", "MS", "MISS", "MX", "SIR", "DAME", "MME", "MLLE", "HON",
        "DR", "DRA", "DOCTOR", "DOCTORA", "PROF", "PROFESSOR", "PROFESOR", "PROFESORA",
        "SR", "SRA", "SRTA", "SENOR", "SENORA", "SENORITA", "DON", "DONA",
        "LIC", "LICDO", "LICDA", "LICENCIADO", "LICENCIADA", "ING", "INGENIERO", "INGENIERA",
        "SHEIKH", "SHAYKH", "HAJJI", "HAJI",
        "COLONEL", "GENERAL", "CAPTAIN", "MAJOR", "LIEUTENANT", "SERGEANT", "COMANDANTE",
    }
)  # fmt: skip
"""Titles dropped at the start of a name (or of its given part)."""

SUFFIXES = frozenset({"JR", "JNR", "SR", "SNR", "II", "III", "IV"})
"""Generational suffixes dropped at the end of a name (or of either part)."""

PARTICLES = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "Y", "E", "DA", "DAS", "DO", "DOS", "DI", "DU",
     "VAN", "VON", "DER", "DEN", "EL", "AL"}
)  # fmt: skip
"""Connecting words that carry no identity ("María de los Ángeles Pérez y Gómez")."""


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name ready for comparison: its tokens, and which of them the source said are surnames."""

    tokens: tuple[str, ...]
    surnames: frozenset[str] = frozenset()


def fold_name(text: str) -> str:
    """Upper case, accents removed, a few non-decomposable letters transliterated."""
    return fold(text.translate(_TRANSLITERATE))


def raw_tokens(text: str) -> tuple[str, ...]:
    """Every alphanumeric run of the folded text, apostrophes joined."""
    folded = _APOSTROPHES.sub("", fold_name(text))
    return tuple(token for token in _SEPARATORS.split(folded) if token)


def clean_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Drop leading honorifics, trailing suffixes and particles; never drop every token."""
    kept = list(tokens)
    while len(kept) > 1 and kept[0] in HONORIFICS:
        kept.pop(0)
    while len(kept) > 1 and kept[-1] in SUFFIXES:
        kept.pop()
    without_particles = [token for token in kept if token not in PARTICLES]
    return tuple(without_particles or kept)


# A screened name is parsed when its subject is validated and again by the matcher.
@functools.lru_cache(maxsize=4096)
def parse_name(text: str) -> ParsedName:
    """Tokens of a name as written in a list or a form.

    One comma means `"SURNAMES, Given Names"` (OFAC's convention for individuals, common in
    aliases and forms): the tokens come out given names first and the surnames are marked.
    """
    if text.count(",") == 1:
        surname_part, given_part = text.split(",")
        surnames = clean_tokens(raw_tokens(surname_part))
        given = clean_tokens(raw_tokens(given_part))
        if surnames and given:
            return ParsedName(given + surnames, frozenset(surnames))
    return ParsedName(clean_tokens(raw_tokens(text)))


NAME_RULE = "the name must contain at least one word of two letters or more"


def is_screenable(name: str) -> bool:
    """Whether a name can be screened at all: one word of two letters or more once parsed (an
    applicant named only by initials or punctuation cannot be told from anyone on a list)."""
    return any(len(token) >= 2 for token in parse_name(name).tokens)


def is_initial(token: str) -> bool:
    """A single letter standing for a name ("JOSE A PEREZ")."""
    return len(token) == 1 and token.isalpha()


_VOWELS = frozenset("AEIOU")
_FRONT = frozenset("EIY")


def spanish_key(token: str) -> str:
    """A phonetic key under which Spanish and Portuguese spellings of one sound agree.

    Rules, applied left to right on the folded token:
    - `H` is silent (except in `CH`/`SH`, both one sound, keyed `C`); `LL`, `LH` and a
      consonant `Y` are keyed `Y`; a `Y` before a consonant or at the end is the vowel `I`;
    - `V` and `W` are `B`; `Z`, and `C` before `E`/`I`, are `S`; any other `C`, `K`, `Q` and
      `QU` before `E`/`I` are `K`;
    - `G` before `E`/`I`, `J`, and an initial `X` are `J`; `GU` before `E`/`I` is `G`;
      another `X` is `KS`; `PH` is `F`; `TH` is `T`;
    - repeated keys collapse (`RR` -> `R`, `SS` -> `S`).
    """
    out: list[str] = []
    text = token
    size = len(text)
    i = 0
    while i < size:
        char = text[i]
        nxt = text[i + 1] if i + 1 < size else ""
        after = text[i + 2] if i + 2 < size else ""
        step = 1
        if char == "H":
            key = ""
        elif char in "CS" and nxt == "H":
            key, step = "C", 2
        elif char == "L" and nxt in ("L", "H"):
            key, step = "Y", 2
        elif char == "Y":
            key = "Y" if nxt in _VOWELS else "I"
        elif char in "VW":
            key = "B"
        elif char == "Z":
            key = "S"
        elif char == "C":
            key = "S" if nxt in _FRONT else "K"
        elif char == "Q":
            key, step = ("K", 2) if nxt == "U" and after in _FRONT else ("K", 1)
        elif char == "G":
            if nxt in _FRONT:
                key = "J"
            elif nxt == "U" and after in _FRONT:
                key, step = "G", 2
            else:
                key = "G"
        elif char == "X":
            key = "J" if i == 0 else "KS"
        elif char == "P" and nxt == "H":
            key, step = "F", 2
        elif char == "T" and nxt == "H":
            key, step = "T", 2
        else:
            key = char
        if key and not (out and out[-1] == key):
            out.append(key)
        i += step
    return "".join(out)
