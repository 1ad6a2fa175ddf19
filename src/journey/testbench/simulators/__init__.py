"""Simulated instruments: asyncio SCPI servers over one physical model of the bench.

They stand in for real instruments on the real code path (PyVISA, TCP sockets), and they hold
the hidden truth (each card's real properties) that only the scoring in `truth.py` reads.
"""
