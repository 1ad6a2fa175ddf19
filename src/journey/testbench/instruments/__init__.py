"""Instrument drivers: SCPI over PyVISA, one owner at a time, errors as typed exceptions."""

from journey.testbench.instruments.base import Identity, ScpiInstrument
from journey.testbench.instruments.handler import Bin, CardHandler, PositionState
from journey.testbench.instruments.sa import SpectrumAnalyzer
from journey.testbench.instruments.switch import SwitchMatrix, crosspoint
from journey.testbench.instruments.vna import BandwidthSearch, NetworkAnalyzer
from journey.testbench.instruments.vsg import SignalGenerator

DRIVERS: dict[str, type[ScpiInstrument]] = {
    driver.kind: driver
    for driver in (SwitchMatrix, SignalGenerator, SpectrumAnalyzer, NetworkAnalyzer, CardHandler)
}

__all__ = [
    "DRIVERS",
    "BandwidthSearch",
    "Bin",
    "CardHandler",
    "Identity",
    "NetworkAnalyzer",
    "PositionState",
    "ScpiInstrument",
    "SignalGenerator",
    "SpectrumAnalyzer",
    "SwitchMatrix",
    "crosspoint",
]
