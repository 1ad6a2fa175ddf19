"""A simulated SCPI instrument: command tree, error queue, status bytes, pending operations.

Behaves as IEEE 488.2 / SCPI-99 instruments do where drivers can tell the difference:

- commands are matched in short or long form, any case, optional nodes and numeric suffixes;
  a command without a leading colon after `;` continues the previous command's path;
- a bad command is silent: it queues an error (`SYST:ERR?`) and sets the event status bit, it
  never answers (an answer would desynchronise the next query);
- several queries in one message answer in one reply, joined with `;`;
- overlapped operations (a sweep, relays settling) finish later; `*OPC?` and `*WAI` wait for them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from journey.testbench.simulators.scpi.errors import ScpiError
from journey.testbench.simulators.scpi.headers import HeaderPattern, split_header
from journey.testbench.simulators.scpi.parameters import (
    NumberSpec,
    parse_bool,
    parse_channel_list,
    parse_choice,
    parse_string,
    split_parameters,
    split_units,
)

ERROR_QUEUE_SIZE = 30
_HEADER_CHARS = re.compile(r"^[A-Za-z0-9:*?_]+$")


@dataclass(slots=True)
class Call:
    """One command as a handler sees it: its raw parameters and header suffixes."""

    header: str
    params: list[str]
    suffixes: dict[str, int]

    def suffix(self, node: str) -> int:
        return self.suffixes.get(node, 1)

    def expect(self, required: int, optional: int = 0) -> None:
        if len(self.params) < required:
            raise ScpiError(-109, f"{self.header} needs {required} parameter(s)")
        if len(self.params) > required + optional:
            raise ScpiError(-108, f"{self.header} takes at most {required + optional}")

    def number(self, index: int, spec: NumberSpec, what: str) -> float:
        return spec.parse(self.params[index], what)

    def integer(self, index: int, spec: NumberSpec, what: str) -> int:
        return int(spec.parse(self.params[index], what))

    def boolean(self, index: int, what: str) -> bool:
        return parse_bool(self.params[index], what)

    def choice(self, index: int, choices: tuple[str, ...], what: str) -> str:
        return parse_choice(self.params[index], choices, what)

    def string(self, index: int, what: str) -> str:
        return parse_string(self.params[index], what)

    def channels(self, index: int) -> list[int]:
        return parse_channel_list(self.params[index])


Handler = Callable[[Call], Awaitable[str | None]]


@dataclass(slots=True)
class Command:
    pattern: HeaderPattern
    handler: Handler


@dataclass
class ErrorQueue:
    """The FIFO behind `SYST:ERR?`; on overflow the newest entry becomes -350."""

    entries: deque[str] = field(default_factory=deque)

    def push(self, error: ScpiError) -> None:
        if len(self.entries) >= ERROR_QUEUE_SIZE:
            self.entries[-1] = ScpiError(-350).entry()
            return
        self.entries.append(error.entry())

    def pop(self) -> str:
        return self.entries.popleft() if self.entries else '+0,"No error"'

    def clear(self) -> None:
        self.entries.clear()


class SimulatedInstrument:
    """Base of the simulated instruments; subclasses register their commands in `__init__`."""

    def __init__(self, name: str, identity: str) -> None:
        self.name = name
        self.identity = identity
        self.errors = ErrorQueue()
        self.event_status = 0
        self.busy_until = 0.0  # monotonic time when every pending operation is done
        self.commands_seen = 0
        self._commands: list[Command] = []
        self._cache: dict[tuple[tuple[str, ...], bool], tuple[Command, dict[str, int]] | None] = {}
        self._lock: asyncio.Lock | None = None
        self._register_common()

    # -- registration ----------------------------------------------------------------------------
    def add(self, pattern: str, handler: Handler) -> None:
        self._commands.append(Command(HeaderPattern(pattern), handler))
        self._cache.clear()

    def setting(self, pattern: str, apply: Callable[[Call], None]) -> None:
        """A command with no reply, handled synchronously."""

        async def handler(call: Call) -> None:
            apply(call)

        self.add(pattern, handler)

    def query(self, pattern: str, answer: Callable[[Call], str]) -> None:
        async def handler(call: Call) -> str:
            return answer(call)

        self.add(pattern, handler)

    # -- time ------------------------------------------------------------------------------------
    @staticmethod
    def now() -> float:
        return time.monotonic()

    def start_operation(self, seconds: float) -> float:
        """Begin an overlapped operation lasting `seconds` (alongside any already running: relays
        settle in parallel); returns when everything pending will be done."""
        self.busy_until = max(self.busy_until, self.now() + seconds)
        return self.busy_until

    async def wait_pending(self) -> None:
        remaining = self.busy_until - self.now()
        if remaining > 0:
            await asyncio.sleep(remaining)

    # -- behaviour subclasses override -----------------------------------------------------------
    def reset(self) -> None:
        """`*RST`: back to the power-on settings (the error queue is kept, as SCPI requires)."""

    # -- execution -------------------------------------------------------------------------------
    async def handle_message(self, message: str) -> str | None:
        """Execute one program message; the reply to send, or None when it had no query."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await self._execute(message)

    async def _execute(self, message: str) -> str | None:
        if not message.isascii():
            self._fail(ScpiError(-101, "non-ASCII character in message"))
            return None
        replies: list[str] = []
        path: list[str] = []
        try:
            units = split_units(message)
        except ScpiError as error:
            self._fail(error)
            return None
        for unit in units:
            self.commands_seen += 1
            parts = unit.split(None, 1)
            header = parts[0]
            rest = parts[1] if len(parts) > 1 else ""
            try:
                command, suffixes, path = self._resolve(header, path)
                reply = await command.handler(Call(header, split_parameters(rest), suffixes))
            except ScpiError as error:
                self._fail(error)
                continue
            if command.pattern.query:
                replies.append("" if reply is None else reply)
        return ";".join(replies) if replies else None

    def _resolve(self, header: str, path: list[str]) -> tuple[Command, dict[str, int], list[str]]:
        if not _HEADER_CHARS.match(header):
            raise ScpiError(-101, f"invalid character in header {header[:20]!r}")
        tokens, is_query, absolute = split_header(header)
        if not tokens:
            raise ScpiError(-102, "empty header")
        candidates = [tokens]
        if not absolute and path and not tokens[0].startswith("*"):
            candidates.insert(0, path + tokens)  # SCPI: continue the previous command's path
        for candidate in candidates:
            found = self._lookup(candidate, is_query)
            if found is not None:
                command, suffixes = found
                next_path = path if command.pattern.common else candidate[:-1]
                return command, suffixes, next_path
        raise ScpiError(-113, header[:40])

    def _lookup(self, tokens: list[str], is_query: bool) -> tuple[Command, dict[str, int]] | None:
        key = (tuple(token.upper() for token in tokens), is_query)
        if key in self._cache:
            return self._cache[key]
        result: tuple[Command, dict[str, int]] | None = None
        for command in self._commands:
            if command.pattern.query != is_query:
                continue
            suffixes = command.pattern.match(tokens)
            if suffixes is not None:
                result = (command, suffixes)
                break
        self._cache[key] = result
        return result

    def _fail(self, error: ScpiError) -> None:
        self.errors.push(error)
        if -199 <= error.code <= -100:
            self.event_status |= 32  # command error
        elif -299 <= error.code <= -200:
            self.event_status |= 16  # execution error
        elif -499 <= error.code <= -400:
            self.event_status |= 4  # query error
        else:
            self.event_status |= 8  # device-dependent error

    # -- IEEE 488.2 and SCPI mandatory commands --------------------------------------------------
    def _register_common(self) -> None:
        self.query("*IDN?", lambda call: self.identity)
        self.setting("*RST", self._reset_command)
        self.setting("*CLS", self._clear_command)
        self.setting("*OPC", self._set_opc)
        self.add("*OPC?", self._opc_query)
        self.add("*WAI", self._wait_command)
        self.query("*ESR?", self._read_esr)
        self.query("*STB?", lambda call: str(self._status_byte()))
        self.query("*TST?", lambda call: "0")
        self.query(":SYSTem:ERRor[:NEXT]?", lambda call: self.errors.pop())
        self.query(":SYSTem:ERRor:COUNt?", lambda call: str(len(self.errors.entries)))
        self.query(":SYSTem:VERSion?", lambda call: "1999.0")

    def _reset_command(self, call: Call) -> None:
        call.expect(0)
        self.reset()

    def _clear_command(self, call: Call) -> None:
        call.expect(0)
        self.errors.clear()
        self.event_status = 0

    def _set_opc(self, call: Call) -> None:
        self.event_status |= 1

    async def _opc_query(self, call: Call) -> str:
        await self.wait_pending()
        return "1"

    async def _wait_command(self, call: Call) -> None:
        await self.wait_pending()

    def _read_esr(self, call: Call) -> str:
        value = self.event_status
        self.event_status = 0
        return str(value)

    def _status_byte(self) -> int:
        value = 4 if self.errors.entries else 0  # bit 2: error/event queue not empty
        if self.event_status:
            value |= 32  # bit 5: standard event summary
        return value
