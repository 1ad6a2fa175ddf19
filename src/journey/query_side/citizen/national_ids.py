"""National identity numbers of the countries we serve: validation and (for simulators) making.

Check digits come from python-stdnum. Where a document has no check digit, or stdnum accepts
numbers no issuer would give out, we say so instead of pretending:

| country | document | check | notes |
|---|---|---|---|
| CL | RUT/RUN | mod 11 (0-9, K) | |
| PE | DNI (CUI) | 1 check digit (digit or letter) | the DNI's 8 digits alone carry no check |
| PE | RUC | mod 11 | 11 digits; persons' RUC start 10 and embed the DNI |
| CO | NIT | mod 11 (prime weights) | the *cédula de ciudadanía* has **no** check digit |
| MX | CURP | mod 10 over 18 chars | also encodes birth date and sex |
| BR | CPF | two mod 11 digits | one repeated digit (111.111.111-11) passes but is never issued |
| AR | CUIT/CUIL | mod 11 | persons' prefixes 20, 23, 24, 27 |
| AR | DNI | none | 7-8 digits, format only |
| EC | cédula | mod 10 (Luhn-like) | province 01-24 or 30, third digit < 6 |
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.ar import cuit as ar_cuit
from stdnum.ar import dni as ar_dni
from stdnum.br import cpf as br_cpf
from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.ec import ci as ec_ci
from stdnum.mx import curp as mx_curp
from stdnum.pe import cui as pe_cui
from stdnum.pe import ruc as pe_ruc

COUNTRIES = ("AR", "BR", "CL", "CO", "EC", "MX", "PE")
_NO_CHECK = {"DNI", "CC"}  # documents whose number carries no check digit


@dataclass(frozen=True, slots=True)
class IdCheck:
    """The outcome of checking a national id: valid or not, why, and its normalized form."""

    valid: bool
    country: str
    document: str
    normalized: str | None
    reason: str | None = None
    has_check_digit: bool = True

    def as_json(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "country": self.country,
            "document": self.document,
            "normalized": self.normalized,
            "reason": self.reason,
            "has_check_digit": self.has_check_digit,
        }


class UnsupportedCountry(ValueError):
    def __init__(self, country: str) -> None:
        super().__init__(
            f"national ids of {country!r} are not supported (supported: {', '.join(COUNTRIES)})"
        )


def validate(country: str, raw: str, document: str | None = None) -> IdCheck:
    """Check a national id of `country` (ISO alpha-2). `document` picks among several kinds."""
    country = country.upper().strip()
    if country not in COUNTRIES:
        raise UnsupportedCountry(country)
    text = (raw or "").strip()
    kind = document or _default_document(country, text)
    if not text:
        return IdCheck(False, country, kind, None, "the id is empty")
    try:
        if country == "CL":
            return IdCheck(True, country, "RUT", cl_rut.format(cl_rut.validate(text)))
        if country == "PE":
            if kind == "RUC":
                return IdCheck(True, country, "RUC", pe_ruc.validate(text))
            compact = pe_cui.compact(text)
            if len(compact) == 8 and compact.isdigit():
                return IdCheck(
                    True,
                    country,
                    "DNI",
                    compact,
                    "an 8-digit DNI has no check digit; give the CUI digit to verify it",
                    has_check_digit=False,
                )
            return IdCheck(True, country, "DNI", pe_cui.validate(text))
        if country == "CO":
            if kind == "CC":
                return _cedula_co(text)
            return IdCheck(True, country, "NIT", co_nit.format(co_nit.validate(text)))
        if country == "MX":
            return IdCheck(True, country, "CURP", mx_curp.validate(text))
        if country == "BR":
            return _cpf(text)
        if country == "AR":
            if kind == "DNI":
                return IdCheck(
                    True, country, "DNI", ar_dni.validate(text), None, has_check_digit=False
                )
            return IdCheck(True, country, "CUIT", ar_cuit.format(ar_cuit.validate(text)))
        return IdCheck(True, country, "CI", ec_ci.validate(text))
    except stdnum_errors.ValidationError as error:
        return IdCheck(
            False, country, kind, None, _reason(error), has_check_digit=kind not in _NO_CHECK
        )


def _default_document(country: str, text: str) -> str:
    digits = "".join(c for c in text if c.isalnum())
    return {
        "CL": "RUT",
        "PE": "RUC" if len(digits) == 11 else "DNI",
        "CO": "NIT" if "-" in text else "CC",
        "MX": "CURP",
        "BR": "CPF",
        "AR": "CUIT" if len(digits) == 11 else "DNI",
        "EC": "CI",
    }[country]


def _cedula_co(text: str) -> IdCheck:
    compact = "".join(c for c in text if c.isdigit())
    if compact != text.replace(".", "").replace(" ", "") or not 3 <= len(compact) <= 10:
        return IdCheck(False, "CO", "CC", None, "a cédula has 3 to 10 digits")
    return IdCheck(
        True,
        "CO",
        "CC",
        compact,
        "a Colombian cédula has no check digit: only its format can be checked",
        has_check_digit=False,
    )


def _cpf(text: str) -> IdCheck:
    compact = br_cpf.compact(text)
    if len(compact) == 11 and compact.isdigit() and len(set(compact)) == 1:
        # 000.000.000-00 ... 999.999.999-99 satisfy the mod-11 digits but are never issued.
        return IdCheck(False, "BR", "CPF", None, "a CPF of one repeated digit is never issued")
    return IdCheck(True, "BR", "CPF", br_cpf.format(br_cpf.validate(text)))


def _reason(error: stdnum_errors.ValidationError) -> str:
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return "the check digit does not match"
    if isinstance(error, stdnum_errors.InvalidLength):
        return "the id has the wrong length"
    if isinstance(error, stdnum_errors.InvalidFormat):
        return "the id has characters or a shape this document never has"
    if isinstance(error, stdnum_errors.InvalidComponent):
        return "a part of the id (region, date, type) is not valid"
    return "the id is not valid"


# -- making valid ids (for the simulated population) ---------------------------------------------
def make_id(
    country: str, rng: random.Random, *, birth_date: date, gender: str, names: tuple[str, str, str]
) -> str:
    """A valid, normalized id for a synthetic person. `names` = (given, first surname, second)."""
    if country == "CL":
        body = str(rng.randint(5_000_000, 26_000_000))
        return cl_rut.format(body + cl_rut.calc_check_digit(body))
    if country == "PE":
        body = f"{rng.randint(10_000_000, 79_999_999)}"
        return body + pe_cui.calc_check_digits(body)[0]
    if country == "CO":
        body = str(rng.randint(10_000_000, 1_099_999_999))
        return co_nit.format(body + co_nit.calc_check_digit(body))
    if country == "MX":
        return _make_curp(rng, birth_date, gender, names)
    if country == "BR":
        while True:
            body = f"{rng.randint(0, 999_999_999):09d}"
            if len(set(body)) > 1:
                return br_cpf.format(body + br_cpf._calc_check_digits(body))
    if country == "AR":
        prefix = "27" if gender == "F" else "20"
        body = prefix + f"{rng.randint(10_000_000, 49_999_999)}"
        return ar_cuit.format(body + ar_cuit.calc_check_digit(body))
    if country == "EC":
        province = f"{rng.randint(1, 24):02d}"
        body = province + str(rng.randint(0, 5)) + f"{rng.randint(0, 999_999):06d}"
        return body + _ec_check_digit(body)
    raise UnsupportedCountry(country)


def _ec_check_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(body):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _make_curp(rng: random.Random, birth: date, gender: str, names: tuple[str, str, str]) -> str:
    given, first, second = (_ascii_upper(n) for n in names)
    head = first[0] + _inner_vowel(first) + (second[0] if second else "X") + given[0]
    if head in mx_curp._name_blacklist:  # stdnum refuses words the issuer replaces
        head = head[0] + "X" + head[2:]
    state = rng.choice(["DF", "JC", "NL", "PL", "VZ", "GT", "MC", "YN"])
    body = (
        head
        + birth.strftime("%y%m%d")
        + ("M" if gender == "F" else "H")
        + state
        + _inner_consonant(first)
        + (_inner_consonant(second) if second else "X")
        + _inner_consonant(given)
        + ("0" if birth.year < 2000 else "A")
    )
    return body + mx_curp.calc_check_digit(body)


def _inner_vowel(word: str) -> str:
    return next((c for c in word[1:] if c in "AEIOU"), "X")


def _inner_consonant(word: str) -> str:
    return next((c for c in word[1:] if c.isalpha() and c not in "AEIOU"), "X")


def _ascii_upper(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    letters = "".join(c for c in folded.upper() if c.isalpha() or c == " ")
    return letters.split(" ")[0] if letters else "X"
