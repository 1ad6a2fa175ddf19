"""Values reach instruments in SCPI-safe forms, and error replies become typed exceptions."""

from __future__ import annotations

import locale

import pytest

from journey.testbench.errors import (
    CommandError,
    DeviceError,
    ExecutionError,
    InstrumentError,
    QueryError,
    ScpiErrorEntry,
)
from journey.testbench.instruments.base import Identity
from journey.testbench.instruments.formatting import (
    boolean,
    channel_list,
    number,
    parse_bool,
    quoted,
    unquote,
)


def test_numbers_are_plain_or_scientific_never_localised_or_non_finite() -> None:
    assert number(13.56e6) == "13560000"
    assert number(847.5e3) == "847500"
    assert number(-10.0) == "-10"
    assert number(2.047) == "2.047"
    assert number(1.5e-9) == "1.5E-09"
    assert number(1e20) == "1E+20"
    assert number(-0.0) == "0"
    assert number(3) == "3"
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="cannot be sent"):
            number(bad)
    with pytest.raises(TypeError):
        number(True)


def test_number_formatting_ignores_a_decimal_comma_locale() -> None:
    previous = locale.setlocale(locale.LC_NUMERIC)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"):
            try:
                locale.setlocale(locale.LC_NUMERIC, name)
                break
            except locale.Error:
                continue
        assert number(13.5) == "13.5"
        assert number(1234567.25) == "1234567.25"
    finally:
        locale.setlocale(locale.LC_NUMERIC, previous)


def test_channel_lists_have_no_spaces_and_strings_are_quoted() -> None:
    assert channel_list([1101, 1205]) == "(@1101,1205)"
    with pytest.raises(ValueError, match="at least one"):
        channel_list([])
    assert quoted('CARD "7"') == '"CARD ""7"""'
    assert unquote('"CARD ""7"""') == 'CARD "7"'
    with pytest.raises(ValueError, match="printable ASCII"):
        quoted("café")
    assert boolean(True) == "ON"
    assert parse_bool("+1") is True
    assert parse_bool("OFF") is False


def test_error_replies_parse_and_pick_the_exception_class_from_the_code() -> None:
    entry = ScpiErrorEntry.parse('-222,"Data out of range; power 50"')
    assert (entry.code, entry.message) == (-222, "Data out of range; power 50")
    assert not ScpiErrorEntry.parse('+0,"No error"').is_error
    assert ScpiErrorEntry.parse("garbage").code == -1
    cases = {-113: CommandError, -222: ExecutionError, -350: DeviceError, -410: QueryError}
    for code, cls in cases.items():
        raised = InstrumentError.raised("sa", "CMD", (ScpiErrorEntry(code, "x"),))
        assert type(raised) is cls
        assert raised.code == code
        assert "'CMD'" in str(raised)


def test_an_identity_reply_splits_into_its_four_fields() -> None:
    identity = Identity.parse("Keysight Technologies,N9030B,MY1234,A.1.2,beta\n")
    assert identity.model == "N9030B"
    assert identity.firmware == "A.1.2,beta"
