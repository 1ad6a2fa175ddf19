"""The byte pipe under a driver: a PyVISA message-based session, or anything shaped like one.

Drivers talk to a `Transport` so protocol tests can script exact exchanges without sockets, while
production opens real VISA sessions (`TCPIP0::host::5025::SOCKET` with the pure-Python `@py`
backend, or NI-VISA). Terminations are always set explicitly: PyVISA's default write termination
is CR LF, and an instrument that expects LF then waits for the end of a message that never comes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Protocol

import pyvisa
from pyvisa import constants
from pyvisa.errors import VisaIOError
from pyvisa.resources import MessageBasedResource

from journey.testbench.errors import InstrumentConnectionError

TERMINATION = "\n"


class TransportTimeout(Exception):
    """No complete reply arrived within the timeout."""


class Transport(Protocol):
    """One connection to one instrument: send a message, read one reply."""

    def write(self, message: str) -> None: ...

    def read(self, timeout_s: float) -> str: ...

    def close(self) -> None: ...


_managers: dict[str, pyvisa.ResourceManager] = {}
_managers_lock = threading.Lock()


def resource_manager(visa_library: str) -> pyvisa.ResourceManager:
    """One PyVISA resource manager per backend per process (they are costly and shareable)."""
    with _managers_lock:
        manager = _managers.get(visa_library)
        if manager is None:
            try:
                manager = pyvisa.ResourceManager(visa_library)
            except (OSError, ValueError) as error:
                raise InstrumentConnectionError(
                    f"VISA backend {visa_library!r} is not available: {error}"
                ) from None
            _managers[visa_library] = manager
        return manager


class VisaTransport:
    """A PyVISA message-based session with LF terminations and per-read timeouts."""

    def __init__(self, address: str, *, visa_library: str = "@py", open_timeout_s: float = 2.0):
        self.address = address
        manager = resource_manager(visa_library)
        try:
            resource = manager.open_resource(
                address,
                open_timeout=int(open_timeout_s * 1000),
                read_termination=TERMINATION,
                write_termination=TERMINATION,
            )
        except VisaIOError as error:
            raise InstrumentConnectionError(f"cannot open {address}: {error.description}") from None
        except (OSError, ValueError) as error:
            raise InstrumentConnectionError(f"cannot open {address}: {error}") from None
        if not isinstance(resource, MessageBasedResource):
            resource.close()
            raise InstrumentConnectionError(f"{address} is not a message-based instrument")
        self._resource: MessageBasedResource = resource
        self._timeout_ms: float | None = None
        if address.upper().endswith("::SOCKET"):
            self._disable_nagle()

    def _disable_nagle(self) -> None:
        """Turn Nagle's algorithm off, as NI-VISA does by default for SOCKET sessions.

        With it on, a command followed at once by `SYST:ERR?` waits for the instrument's delayed
        ACK: ~40 ms per setting. pyvisa-py 0.8 leaves it on and its VI_ATTR_TCPIP_NODELAY setter
        is wired to a method that refuses every attribute, so we fall back to its socket.
        """
        try:
            self._resource.set_visa_attribute(
                constants.ResourceAttribute.tcpip_nodelay, constants.VisaBoolean.true
            )
            return
        except Exception:
            pass
        sessions = getattr(self._resource.visalib, "sessions", None)
        session = sessions.get(self._resource.session) if isinstance(sessions, dict) else None
        connection = getattr(session, "interface", None)
        if isinstance(connection, socket.socket):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, message: str) -> None:
        try:
            self._resource.write(message)
        except VisaIOError as error:
            raise InstrumentConnectionError(f"{self.address}: {error.description}") from None
        except OSError as error:
            raise InstrumentConnectionError(f"{self.address}: {error}") from None

    def read(self, timeout_s: float) -> str:
        timeout_ms = max(1.0, timeout_s * 1000)
        if timeout_ms != self._timeout_ms:
            self._resource.timeout = timeout_ms
            self._timeout_ms = timeout_ms
        try:
            return self._resource.read()
        except VisaIOError as error:
            if error.error_code == constants.StatusCode.error_timeout:
                raise TransportTimeout(self.address) from None
            raise InstrumentConnectionError(f"{self.address}: {error.description}") from None
        except OSError as error:
            raise InstrumentConnectionError(f"{self.address}: {error}") from None

    def close(self) -> None:
        # Closing a broken session must not hide the error that broke it.
        with contextlib.suppress(VisaIOError, OSError):
            self._resource.close()
