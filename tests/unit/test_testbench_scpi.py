"""The simulated instruments honour SCPI grammar: forms, units, compound messages, error codes."""

from __future__ import annotations

import pytest

from journey.testbench.simulators.config import SimulationConfig
from journey.testbench.simulators.devices.switch import SimulatedSwitch
from journey.testbench.simulators.devices.vsg import SimulatedGenerator
from journey.testbench.simulators.host import layout_for
from journey.testbench.simulators.instrument import ERROR_QUEUE_SIZE
from journey.testbench.simulators.physics.bench import Bench
from journey.testbench.simulators.scpi.errors import ScpiError
from journey.testbench.simulators.scpi.headers import HeaderPattern
from journey.testbench.simulators.scpi.parameters import NumberSpec, parse_channel_list
from journey.testbench.station import load_station


@pytest.fixture
def bench() -> Bench:
    return Bench(layout_for(load_station()), SimulationConfig())


@pytest.fixture
def vsg(bench: Bench) -> SimulatedGenerator:
    return SimulatedGenerator(bench)


async def error(instrument: SimulatedGenerator | SimulatedSwitch) -> str:
    reply = await instrument.handle_message("SYST:ERR?")
    assert reply is not None
    return reply


def test_a_header_matches_its_short_and_long_forms_with_optional_nodes_only() -> None:
    pattern = HeaderPattern("[:SOURce]:FREQuency[:CW]")
    for accepted in (["FREQ"], ["sour", "freq", "cw"], ["SOURCE", "FREQUENCY"], ["Freq", "Cw"]):
        assert pattern.match(accepted) == {"SOUR": 1, "FREQ": 1, "CW": 1}, accepted
    for refused in (["FREQuenc"], ["FRE"], ["SOUR"], ["FREQ", "CW", "X"]):
        assert pattern.match(refused) is None, refused


def test_numeric_suffixes_are_captured_and_default_to_one() -> None:
    pattern = HeaderPattern(":CALCulate#:MARKer#:X")
    assert pattern.match(["CALC2", "MARK3", "X"]) == {"CALC": 2, "MARK": 3, "X": 1}
    assert pattern.match(["CALC", "MARK", "X"]) == {"CALC": 1, "MARK": 1, "X": 1}
    assert HeaderPattern(":OUTPut").match(["OUTP2"]) is None  # no suffix where none is allowed


def test_numbers_take_units_multipliers_and_keywords() -> None:
    spec = NumberSpec(9e3, 6e9, unit="HZ", default=1e9)
    assert spec.parse("13.56MHz", "f") == pytest.approx(13.56e6)
    assert spec.parse(" 13.56 MHZ ", "f") == pytest.approx(13.56e6)
    assert spec.parse("847.5kHz", "f") == pytest.approx(847.5e3)
    assert spec.parse("+2000000", "f") == 2e6
    assert spec.parse("1E+09", "f") == 1e9
    assert spec.parse("MAX", "f") == 6e9
    assert spec.parse("def", "f") == 1e9
    codes = {}
    for text in ("13.56 dBm", "abc", "1e12"):
        with pytest.raises(ScpiError) as raised:
            spec.parse(text, "f")
        codes[text] = raised.value.code
    assert codes == {"13.56 dBm": -131, "abc": -104, "1e12": -222}
    with pytest.raises(ScpiError) as raised:
        NumberSpec(1, 10).parse("5 Hz", "n")
    assert raised.value.code == -138


def test_channel_lists_expand_ranges_and_reject_garbage() -> None:
    assert parse_channel_list("(@1101,1205:1207)") == [1101, 1205, 1206, 1207]
    assert parse_channel_list("( @ 1101 )") == [1101]
    for bad in ("1101", "(@1101,,1102)", "(@11a1)"):
        with pytest.raises(ScpiError):
            parse_channel_list(bad)


async def test_several_queries_in_one_message_answer_in_one_reply(vsg: SimulatedGenerator) -> None:
    reply = await vsg.handle_message("sour:freq:cw 13.56 MHz;FREQuency:CW?;:POW -10 dBm;:POW?")
    assert reply == "+1.35600000E+07;-1.00000000E+01"


async def test_a_command_without_a_leading_colon_continues_the_previous_path(
    vsg: SimulatedGenerator,
) -> None:
    await vsg.handle_message(":SOUR:AM:SOUR EXT;DEPT 30;STAT ON")  # all under :SOUR:AM:
    assert await vsg.handle_message("AM:SOUR?;DEPT?;STAT?") == "EXT;+3.00000000E+01;1"
    assert await error(vsg) == '+0,"No error"'
    await vsg.handle_message(":SOUR:AM:INT:FREQ 2kHz;DEPT 40")  # path is now :SOUR:AM:INT:
    assert (await error(vsg)).startswith("-113,")


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("FREQuenc 1", -113),
        ("FOO:BAR 1", -113),
        ("FREQ", -109),
        ("FREQ 1, 2", -108),
        ("FREQ 13.56 dBm", -131),
        ("FREQ abc", -104),
        ("POW 50", -222),
        ("OUTP MAYBE", -224),
        ("FREQ$ 1", -101),
    ],
)
async def test_a_bad_command_is_silent_and_queues_its_scpi_error(
    vsg: SimulatedGenerator, message: str, code: int
) -> None:
    before = vsg.bench.generator.frequency_hz, vsg.bench.generator.power_dbm
    assert await vsg.handle_message(message) is None  # never an answer to a setting
    assert (await error(vsg)).startswith(f"{code},")
    assert await error(vsg) == '+0,"No error"'
    assert (vsg.bench.generator.frequency_hz, vsg.bench.generator.power_dbm) == before


async def test_a_bad_query_answers_nothing_but_the_good_ones_in_its_message(
    vsg: SimulatedGenerator,
) -> None:
    assert await vsg.handle_message("FOO?;*OPC?") == "1"
    assert (await error(vsg)).startswith("-113,")


async def test_the_error_queue_overflows_into_350_and_cls_clears_it(
    vsg: SimulatedGenerator,
) -> None:
    for _ in range(ERROR_QUEUE_SIZE + 5):
        await vsg.handle_message("NOPE")
    assert await vsg.handle_message("SYST:ERR:COUN?") == str(ERROR_QUEUE_SIZE)
    assert await vsg.handle_message("*ESR?") == "32"  # command error bit, cleared by reading
    assert await vsg.handle_message("*ESR?") == "0"
    entries = [await error(vsg) for _ in range(ERROR_QUEUE_SIZE)]
    assert entries[-1].startswith("-350,")
    await vsg.handle_message("NOPE;*CLS")
    assert await error(vsg) == '+0,"No error"'


async def test_reset_restores_settings_but_keeps_the_error_queue(vsg: SimulatedGenerator) -> None:
    await vsg.handle_message("FREQ 13.56MHz;OUTP ON;NOPE")
    await vsg.handle_message("*RST")
    assert await vsg.handle_message("OUTP?;FREQ?") == "0;+1.00000000E+09"
    assert (await error(vsg)).startswith("-113,")


async def test_the_switch_refuses_to_put_two_sources_on_one_net(bench: Bench) -> None:
    switch = SimulatedSwitch(bench)
    await switch.handle_message("ROUT:CLOS (@1101,1104)")  # VNA -> row 1 -> P1 antenna
    await switch.handle_message("ROUT:CLOS (@1202,1204)")  # generator onto the same antenna
    assert (await error(switch)).startswith("-221,")
    assert await switch.handle_message("ROUT:CLOS? (@1101,1104,1202,1204)") == "1,1,0,0"
    await switch.handle_message("ROUT:CLOS (@9999)")
    assert (await error(switch)).startswith("-222,")
    await switch.handle_message("*RST")
    assert await switch.handle_message("ROUT:OPEN? (@1101,1104)") == "1,1"
