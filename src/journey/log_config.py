"""Structured logs (structlog): JSON for machines, colours for people. Never personal data.

Log lines are rendered where they are logged (so they carry that context's correlation id) and
written by one background thread (`QueuedStream`): a busy event loop never waits on stderr, and
no line costs a hop to a thread pool, which structlog's `a*` methods take on every call (at info
level, that hop was a quarter of a command's CPU). Call the plain methods (`log.info(...)`), not
`await log.ainfo(...)`. The thread drains what is queued at exit.
"""

from __future__ import annotations

import atexit
import logging
import queue
import sys
import threading
from typing import TextIO, cast

import structlog

_STOP = object()
_streams: dict[int, QueuedStream] = {}
_streams_lock = threading.Lock()


class QueuedStream:
    """A write-only text stream: `write` queues, a daemon thread writes to `target` in order."""

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._drain, name="journey-log-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def write(self, text: str) -> int:
        self._queue.put(text)
        return len(text)

    def flush(self) -> None:
        """Nothing to do here: the writer thread flushes after each batch it writes."""

    def isatty(self) -> bool:
        return self._target.isatty()

    @property
    def target_closed(self) -> bool:
        return bool(getattr(self._target, "closed", False))

    def close(self, timeout: float = 2.0) -> None:
        """Write what is queued, then stop the thread (at most `timeout` seconds)."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _drain(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:  # whatever else is already waiting goes out in the same write
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = _STOP in batch
            text = "".join(item for item in batch if isinstance(item, str))
            try:
                self._target.write(text)
                self._target.flush()
            except (OSError, ValueError):
                pass  # stderr closed or gone: a log line is not worth a crash
            if stop:
                return


def queued(target: TextIO) -> QueuedStream:
    """The one queued stream writing to `target` (configuring logs again reuses it)."""
    with _streams_lock:
        for key, old in list(_streams.items()):  # e.g. a CLI test runner's streams, now closed
            if old.target_closed:
                old.close(timeout=0)
                del _streams[key]
        stream = _streams.get(id(target))
        if stream is None or not stream._thread.is_alive():
            stream = _streams[id(target)] = QueuedStream(target)
        return stream


def configure_logging(level: str = "info", fmt: str = "console") -> None:
    numeric = logging.getLevelNamesMapping()[level.upper()]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # WriteLogger only calls `write` and `flush`: all a QueuedStream offers.
        logger_factory=structlog.WriteLoggerFactory(file=cast(TextIO, queued(sys.stderr))),
        cache_logger_on_first_use=True,
    )
