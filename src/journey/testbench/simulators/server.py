"""One asyncio TCP server per simulated instrument: the raw-socket protocol of LAN instruments.

Like a real instrument on port 5025 it reads line-terminated program messages (LF; whitespace
before the LF, such as a CR, is ignored as IEEE 488.2 allows) and writes each reply followed by LF.
"""

from __future__ import annotations

import asyncio
import contextlib

from journey.testbench.simulators.instrument import SimulatedInstrument
from journey.testbench.simulators.scpi.errors import ScpiError

MAX_MESSAGE = 1 << 20


class InstrumentServer:
    """Serves one simulated instrument on `host:port` (port 0 picks a free one)."""

    def __init__(self, instrument: SimulatedInstrument, host: str = "127.0.0.1", port: int = 0):
        self.instrument = instrument
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    @property
    def address(self) -> str:
        """The VISA resource string of this instrument."""
        return f"TCPIP0::{self.host}::{self.port}::SOCKET"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=MAX_MESSAGE
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            tasks = list(self._connections)
            for writer in self._connections.values():
                writer.transport.abort()  # the reader sees end-of-file and the task ends
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections[task] = writer
        try:
            while True:
                try:
                    line = await reader.readuntil(b"\n")
                except asyncio.IncompleteReadError:
                    break
                except asyncio.LimitOverrunError:
                    self.instrument.errors.push(ScpiError(-223, "message too long"))
                    await reader.read(MAX_MESSAGE)
                    continue
                text = line.decode("latin-1").strip()
                if not text:
                    continue
                reply = await self.instrument.handle_message(text)
                if reply is not None:
                    writer.write(reply.encode("ascii") + b"\n")
                    await writer.drain()
        except ConnectionError:
            pass  # the client went away mid-message: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            if task is not None:
                self._connections.pop(task, None)
