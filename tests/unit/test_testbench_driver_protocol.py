"""Drivers send exact SCPI, drain the error queue after settings, and hold one owner at a time.

A scripted transport plays the instrument (like PyMeasure's expected_protocol): every message
the driver writes must be the next expected one, and replies come from the script.
"""

from __future__ import annotations

import threading
from collections import deque

import pytest

from journey.testbench.errors import (
    CommandError,
    ExecutionError,
    InstrumentBusy,
    InstrumentTimeout,
)
from journey.testbench.instruments.base import ScpiInstrument
from journey.testbench.instruments.sa import SpectrumAnalyzer
from journey.testbench.instruments.switch import SwitchMatrix, crosspoint
from journey.testbench.instruments.transport import TransportTimeout
from journey.testbench.instruments.vna import NetworkAnalyzer
from journey.testbench.instruments.vsg import SignalGenerator

NO_ERROR = '+0,"No error"'


class Script:
    """Expected (message, reply or None) pairs; a reply of TIMEOUT means silence."""

    TIMEOUT = object()

    def __init__(self, *exchanges: tuple[str, object]) -> None:
        self.exchanges = deque(exchanges)
        self.pending: deque[object] = deque()
        self.opened = 0

    def factory(self) -> Script:
        self.opened += 1
        return self

    def write(self, message: str) -> None:
        assert self.exchanges, f"unexpected message {message!r}"
        expected, reply = self.exchanges.popleft()
        assert message == expected
        if reply is not None:
            self.pending.append(reply)

    def read(self, timeout_s: float) -> str:
        reply = self.pending.popleft() if self.pending else self.TIMEOUT
        if reply is self.TIMEOUT:
            raise TransportTimeout("scripted silence")
        assert isinstance(reply, str)
        return reply

    def close(self) -> None:
        pass

    def done(self) -> bool:
        return not self.exchanges


def make(cls: type[ScpiInstrument], script: Script) -> ScpiInstrument:
    return cls("dut", "TCPIP0::scripted::5025::SOCKET", transport_factory=script.factory).open()


def test_every_setting_is_followed_by_draining_the_error_queue() -> None:
    script = Script(
        ("SOUR:FREQ 13560000", None),
        ("SYST:ERR?", NO_ERROR),
        ("SOUR:POW -12.5", None),
        ("SYST:ERR?", NO_ERROR),
        ("OUTP ON", None),
        ("SYST:ERR?", NO_ERROR),
        ("SOUR:FREQ?", "+1.35600000E+07"),
    )
    vsg = make(SignalGenerator, script)
    assert isinstance(vsg, SignalGenerator)
    vsg.set_frequency(13.56e6)
    vsg.set_power(-12.5)
    vsg.set_output(True)
    assert vsg.frequency() == 13.56e6
    assert script.done()


def test_an_instrument_error_raises_a_typed_exception_naming_the_command() -> None:
    script = Script(
        ("SOUR:POW 50", None),
        ("SYST:ERR?", '-222,"Data out of range"'),
        ("SYST:ERR?", '-221,"Settings conflict"'),
        ("SYST:ERR?", NO_ERROR),
    )
    vsg = make(SignalGenerator, script)
    assert isinstance(vsg, SignalGenerator)
    with pytest.raises(ExecutionError) as raised:
        vsg.set_power(50)
    assert raised.value.command == "SOUR:POW 50"
    assert [entry.code for entry in raised.value.errors] == [-222, -221]
    assert script.done()


def test_a_silent_query_reconnects_and_reports_the_queued_error_or_a_timeout() -> None:
    script = Script(
        ("BOGUS?", Script.TIMEOUT),
        ("SYST:ERR?", '-113,"Undefined header"'),
        ("SYST:ERR?", NO_ERROR),
        ("SLOW?", Script.TIMEOUT),
        ("SYST:ERR?", NO_ERROR),
    )
    sa = make(SpectrumAnalyzer, script)
    with pytest.raises(CommandError, match="Undefined header"):
        sa.query("BOGUS?", timeout_s=0.01)
    with pytest.raises(InstrumentTimeout, match="SLOW"):
        sa.query("SLOW?", timeout_s=0.01)
    assert script.opened == 3  # reconnected after each silence: no late reply can slip in


def test_a_sweep_and_its_completion_go_in_one_message_then_the_error_queue() -> None:
    script = Script(
        ("INIT:IMM;*OPC?", "1"),
        ("SYST:ERR?", NO_ERROR),
        ("CALC:MARK1:Y?;:CALC:MARK2:Y?", "-30.5;-31.25"),
    )
    sa = make(SpectrumAnalyzer, script)
    assert isinstance(sa, SpectrumAnalyzer)
    sa.sweep()
    assert sa.marker_levels((1, 2)) == [-30.5, -31.25]


def test_switch_channels_are_srcc_lists_and_readback_is_per_channel() -> None:
    assert crosspoint(1, 2, 5) == 1205
    with pytest.raises(ValueError, match="no crosspoint"):
        crosspoint(1, 0, 5)
    script = Script(
        ("ROUT:CLOS (@1101,1205)", None),
        ("SYST:ERR?", NO_ERROR),
        ("ROUT:CLOS? (@1101,1205,1301)", "1,1,0"),
    )
    switch = make(SwitchMatrix, script)
    assert isinstance(switch, SwitchMatrix)
    switch.close_channels([1101, 1205])
    assert switch.closed_among([1101, 1205, 1301]) == {1101, 1205}


def test_the_vna_trace_arrives_as_complex_pairs_and_the_bandwidth_search_as_four_numbers() -> None:
    script = Script(
        ("CALC1:SEL:DATA:SDAT?", "0.1,-0.2,0.3,0.4"),
        ("CALC1:SEL:MARK1:BWID ON", None),
        ("SYST:ERR?", NO_ERROR),
        ("CALC1:SEL:MARK1:BWID:THR -3", None),
        ("SYST:ERR?", NO_ERROR),
        ("CALC1:SEL:MARK1:BWID:DATA?", "4.3E+05,1.52E+07,35.3,-0.4"),
    )
    vna = make(NetworkAnalyzer, script)
    assert isinstance(vna, NetworkAnalyzer)
    assert vna.complex_trace() == [complex(0.1, -0.2), complex(0.3, 0.4)]
    found = vna.bandwidth_search(-3)
    assert (found.center_hz, found.q) == (1.52e7, 35.3)


def test_an_instrument_has_one_owner_at_a_time() -> None:
    sa = SpectrumAnalyzer(
        "sa", "TCPIP0::x::5025::SOCKET", lock_timeout_s=0.05, transport_factory=Script().factory
    ).open()
    holding = threading.Event()
    release = threading.Event()

    def owner() -> None:
        with sa.reserved("site-1"):
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=owner)
    thread.start()
    holding.wait(5)
    try:
        assert sa.owner == "site-1"
        with pytest.raises(InstrumentBusy, match="site-1"), sa.reserved("site-2"):
            pass
        with pytest.raises(InstrumentBusy):
            sa.query("*IDN?")  # a single command waits for the owner too
    finally:
        release.set()
        thread.join()
    assert sa.owner is None
