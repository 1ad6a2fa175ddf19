"""The SCPI instrument every driver builds on: one owner at a time, errors as typed exceptions.

- Every setting is followed by draining the error queue (`SYST:ERR?` until `0`); any entry raises
  an `InstrumentError` subclass naming the command, so a refused setting never passes silently.
- A query that gets no reply in time reconnects (a late reply would otherwise answer the *next*
  query), then drains the error queue: an error there explains the silence; otherwise it is an
  `InstrumentTimeout`.
- A re-entrant lock gives each instrument one owner at a time. `reserved(owner)` holds it across
  several commands (a whole measurement); single commands take it briefly. A caller that cannot
  get it in time gets `InstrumentBusy` naming the holder.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Self, TypeVar

from journey.testbench.errors import (
    InstrumentBusy,
    InstrumentConnectionError,
    InstrumentError,
    InstrumentTimeout,
    ScpiErrorEntry,
)
from journey.testbench.instruments.formatting import parse_bool, parse_floats
from journey.testbench.instruments.transport import Transport, TransportTimeout, VisaTransport

T = TypeVar("T")

ERROR_QUEUE_DEPTH = 64  # more entries than any queue holds: a queue that never empties is broken


@dataclass(frozen=True, slots=True)
class Identity:
    """What `*IDN?` says: manufacturer, model, serial number, firmware."""

    manufacturer: str
    model: str
    serial: str
    firmware: str

    @classmethod
    def parse(cls, reply: str) -> Identity:
        parts = [part.strip() for part in reply.strip().split(",")]
        parts += [""] * (4 - len(parts))
        return cls(parts[0], parts[1], parts[2], ",".join(parts[3:]).strip(","))

    def __str__(self) -> str:
        return f"{self.manufacturer},{self.model},{self.serial},{self.firmware}"


TransportFactory = Callable[[], Transport]


class ScpiInstrument:
    """A SCPI instrument behind a `Transport` (by default a VISA session on `address`)."""

    kind: ClassVar[str] = "instrument"

    def __init__(
        self,
        name: str,
        address: str,
        *,
        visa_library: str = "@py",
        timeout_s: float = 2.0,
        lock_timeout_s: float = 60.0,
        transport_factory: TransportFactory | None = None,
    ) -> None:
        self.name = name
        self.address = address
        self.timeout_s = timeout_s
        self.lock_timeout_s = lock_timeout_s
        self._factory: TransportFactory = transport_factory or (
            lambda: VisaTransport(address, visa_library=visa_library, open_timeout_s=timeout_s)
        )
        self._transport: Transport | None = None
        self._lock = threading.RLock()
        self._owner: str | None = None
        self._depth = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self) -> Self:
        with self._atomic("open"):
            if self._transport is None:
                self._transport = self._factory()
        return self

    def close(self) -> None:
        with self._atomic("close"):
            if self._transport is not None:
                self._transport.close()
                self._transport = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._transport is not None

    # -- ownership -------------------------------------------------------------------------------
    @property
    def owner(self) -> str | None:
        """Who holds the instrument now (None when free)."""
        return self._owner

    @contextmanager
    def reserved(self, owner: str, timeout_s: float | None = None) -> Iterator[Self]:
        """Hold the instrument for `owner` for the whole block (one measurement, one setup)."""
        wait = self.lock_timeout_s if timeout_s is None else timeout_s
        if not self._lock.acquire(timeout=wait):
            raise InstrumentBusy(self.name, self._owner, owner)
        previous = self._owner
        self._owner = owner
        self._depth += 1
        try:
            yield self
        finally:
            self._depth -= 1
            self._owner = previous if self._depth else None
            self._lock.release()

    @contextmanager
    def _atomic(self, what: str) -> Iterator[None]:
        if not self._lock.acquire(timeout=self.lock_timeout_s):
            raise InstrumentBusy(self.name, self._owner, f"a call to {what!r}")
        try:
            yield
        finally:
            self._lock.release()

    # -- SCPI ------------------------------------------------------------------------------------
    def write(self, command: str) -> None:
        """Send a setting, then drain the error queue; raise if the instrument complained."""
        with self._atomic(command):
            self._session().write(command)
            errors = self._drain()
            if errors:
                raise InstrumentError.raised(self.name, command, errors)

    def query(self, command: str, *, timeout_s: float | None = None) -> str:
        """Send a query and return its reply (without the termination)."""
        with self._atomic(command):
            session = self._session()
            session.write(command)
            try:
                return session.read(self.timeout_s if timeout_s is None else timeout_s)
            except TransportTimeout:
                self._reconnect()
                errors = self._drain()
                if errors:
                    raise InstrumentError.raised(self.name, command, errors) from None
                raise InstrumentTimeout(
                    self.name, command, self.timeout_s if timeout_s is None else timeout_s
                ) from None

    def query_float(self, command: str, *, timeout_s: float | None = None) -> float:
        return self._parsed(command, self.query(command, timeout_s=timeout_s), float)

    def query_int(self, command: str) -> int:
        return self._parsed(command, self.query(command), lambda text: int(float(text)))

    def query_bool(self, command: str) -> bool:
        return self._parsed(command, self.query(command), parse_bool)

    def query_floats(self, command: str, *, timeout_s: float | None = None) -> list[float]:
        return self._parsed(command, self.query(command, timeout_s=timeout_s), parse_floats)

    def drain_errors(self) -> tuple[ScpiErrorEntry, ...]:
        """Every entry of the error queue, oldest first (empties it)."""
        with self._atomic("SYST:ERR?"):
            return self._drain()

    # -- IEEE 488.2 common commands --------------------------------------------------------------
    def identify(self) -> Identity:
        return Identity.parse(self.query("*IDN?"))

    def reset(self) -> None:
        """`*CLS` (a reset keeps the error queue, and stale errors would be blamed on `*RST`),
        then `*RST`, and wait for it to finish."""
        with self._atomic("*RST"):
            self.write("*CLS")
            self.write("*RST")
            self.wait_complete()

    def clear_status(self) -> None:
        self.write("*CLS")

    def query_complete(self, command: str, *, timeout_s: float | None = None) -> None:
        """Run an overlapped command and wait for it in one message (`INIT:IMM;*OPC?`), then
        drain the error queue like any setting."""
        with self._atomic(command):
            reply = self.query(f"{command};*OPC?", timeout_s=timeout_s)
            errors = self._drain()
            if errors:
                raise InstrumentError.raised(self.name, command, errors)
            if reply.strip() not in {"1", "+1"}:
                raise InstrumentError.raised(
                    self.name, command, (ScpiErrorEntry(-1, f"unexpected reply {reply!r}"),)
                )

    def wait_complete(self, timeout_s: float | None = None) -> None:
        """`*OPC?`: block until every pending operation (sweep, relay settling) is done."""
        reply = self.query("*OPC?", timeout_s=timeout_s)
        if reply.strip() not in {"1", "+1"}:
            raise InstrumentError.raised(
                self.name, "*OPC?", (ScpiErrorEntry(-1, f"unexpected reply {reply!r}"),)
            )

    # -- internals -------------------------------------------------------------------------------
    def _session(self) -> Transport:
        if self._transport is None:
            raise InstrumentConnectionError(f"{self.name} ({self.address}) is not open")
        return self._transport

    def _reconnect(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._transport = None
        self._transport = self._factory()

    def _drain(self) -> tuple[ScpiErrorEntry, ...]:
        session = self._session()
        errors: list[ScpiErrorEntry] = []
        for _ in range(ERROR_QUEUE_DEPTH):
            session.write("SYST:ERR?")
            try:
                entry = ScpiErrorEntry.parse(session.read(self.timeout_s))
            except TransportTimeout:
                self._reconnect()
                raise InstrumentTimeout(self.name, "SYST:ERR?", self.timeout_s) from None
            if not entry.is_error:
                return tuple(errors)
            errors.append(entry)
        errors.append(ScpiErrorEntry(-350, "error queue did not empty"))
        return tuple(errors)

    def _parsed(self, command: str, reply: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(reply)
        except ValueError:
            raise InstrumentError.raised(
                self.name, command, (ScpiErrorEntry(-1, f"unexpected reply {reply[:80]!r}"),)
            ) from None


def poll(check: Callable[[], bool], *, timeout_s: float, interval_s: float, what: str) -> None:
    """Call `check` until it is true; `TimeoutError` after `timeout_s` (handler motions)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not finish within {timeout_s:g} s")
        time.sleep(interval_s)
