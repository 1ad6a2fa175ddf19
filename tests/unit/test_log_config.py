"""Log lines are rendered where they are logged and written, in order, by one writer thread."""

from __future__ import annotations

import io
import json
import sys
import threading
from collections.abc import Iterator

import pytest
import structlog

from journey.log_config import QueuedStream, configure_logging, queued


def test_every_line_is_written_in_order_once_the_stream_closes() -> None:
    target = io.StringIO()
    stream = QueuedStream(target)
    for number in range(1000):
        stream.write(f"line {number}\n")
    stream.close()

    assert target.getvalue().splitlines() == [f"line {number}" for number in range(1000)]


def test_lines_from_many_threads_arrive_whole() -> None:
    target = io.StringIO()
    stream = QueuedStream(target)
    logger = structlog.WriteLogger(stream)  # type: ignore[arg-type]

    def log(thread: int) -> None:
        for number in range(200):
            logger.msg(json.dumps({"thread": thread, "number": number}))

    threads = [threading.Thread(target=log, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stream.close()

    lines = [json.loads(line) for line in target.getvalue().splitlines()]
    assert len(lines) == 8 * 200
    for thread in range(8):
        assert [line["number"] for line in lines if line["thread"] == thread] == list(range(200))


def test_a_stream_that_cannot_be_written_does_not_stop_the_writer() -> None:
    class Closed(io.StringIO):
        broken = True

        def write(self, text: str) -> int:
            if self.broken:
                raise ValueError("I/O operation on closed file")
            return super().write(text)

    target = Closed()
    stream = QueuedStream(target)
    stream.write("lost\n")
    stream.close()  # the write failed; the thread still ended cleanly
    target.broken = False
    again = QueuedStream(target)
    again.write("kept\n")
    again.close()

    assert target.getvalue() == "kept\n"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    saved = structlog.get_config()
    try:
        yield
    finally:
        structlog.configure(**saved)


@pytest.mark.usefixtures("restored_logging")
def test_configuring_again_reuses_the_writer_of_the_same_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = io.StringIO()
    monkeypatch.setattr(sys, "stderr", target)
    configure_logging("info", "json")
    first = queued(target)
    configure_logging("warning", "json")

    assert queued(target) is first
    structlog.get_logger("test").warning("something happened", count=3)
    first.close()
    line = json.loads(target.getvalue().splitlines()[-1])
    assert (line["event"], line["count"], line["level"]) == ("something happened", 3, "warning")
