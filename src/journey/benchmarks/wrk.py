"""Load from wrk: prepared requests sent by a C load generator, timed by our own wrk script.

The HTTP benchmark used to send its load from Python (httpx, 50 asyncio clients). That client
needed more CPU per request than a bare FastAPI endpoint does, so it measured itself: the bare
endpoint answered 1,650 requests/s to it and 13,400/s to wrk on the same machine, and the
client's own stalls set the p99 of every server alike. wrk (Debian's `wrk`, LuaJIT scripts)
costs a few microseconds a request; `replay.lua` (beside this module) sends each prepared
request exactly once, one connection per wrk thread, and times every answer itself — paced
loads from when each request was due (see the script).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

MARKER = "JOURNEY-REPLAY "
RUN_LIMIT_SECONDS = 600


class WrkMissing(RuntimeError):
    """wrk is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "the HTTP benchmark sends its load with wrk, which is not installed: "
            "run `make bench-tools` (apt-get install wrk)"
        )


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP/1.1 request as it goes on the wire."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None

    def raw(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", "Host: bench"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body is not None:
            lines.append(f"Content-Length: {len(self.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        return head + (self.body or b"")


@dataclass(frozen=True, slots=True)
class Measured:
    """What came back: answers with the expected status, the others (wrong status or none),
    the time from the first measured request being due to the last answer, and each answer's
    latency (ms)."""

    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_ms: float | None = None  # per answered request, when the caller read it

    @property
    def per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        return percentile(self.latencies_ms, share)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def wrk_path() -> str:
    """Where wrk is; `WrkMissing` when it is not installed."""
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing()
    return found


def replay(
    base_url: str,
    requests: Sequence[Request],
    clients: int,
    expect: int,
    *,
    rate: float | None = None,
) -> Measured:
    """Send each of `requests` once from `clients` connections (closed loop, or paced at `rate`
    requests/s over all connections) and time every answer."""
    wrk = wrk_path()
    if len(requests) < clients:
        raise ValueError(f"give at least as many requests as clients ({clients})")
    raws = [request.raw() for request in requests]
    if any(b"\0" in raw for raw in raws):
        raise ValueError("a request holds a NUL byte, the separator of the requests file")
    interval_ms = 0.0 if not rate else clients / rate * 1000
    with tempfile.TemporaryDirectory(prefix="journey-wrk-") as scratch:
        folder = Path(scratch)
        requests_file = folder / "requests"
        requests_file.write_bytes(b"".join(raw + b"\0" for raw in raws))
        (folder / "done").mkdir()
        script = folder / "replay.lua"
        script.write_bytes(
            resources.files("journey.benchmarks").joinpath("replay.lua").read_bytes()
        )
        finished = subprocess.run(
            [
                wrk,
                "--threads",
                str(clients),
                "--connections",
                str(clients),
                "--duration",
                f"{RUN_LIMIT_SECONDS}s",
                "--timeout",
                "60s",
                "--script",
                str(script),
                base_url,
                "--",
                str(requests_file),
                str(clients),
                str(expect),
                f"{interval_ms:.6f}",
                str(folder / "done"),
            ],
            capture_output=True,
            text=True,
            timeout=RUN_LIMIT_SECONDS + 60,
            check=False,
        )
    return _parsed(finished, len(requests))


def _parsed(finished: subprocess.CompletedProcess[str], sent: int) -> Measured:
    report = next((line for line in finished.stdout.splitlines() if line.startswith(MARKER)), None)
    if finished.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr[-2000:]}")
    threads = json.loads(report[len(MARKER) :])["threads"]
    answered = sum(thread["answered"] for thread in threads)
    good = sum(thread["good"] for thread in threads)
    measured = [thread for thread in threads if thread["answered"]]
    seconds = 0.0
    if measured:
        first = min(thread["first_due_ms"] for thread in measured)
        last = max(thread["last_answer_ms"] for thread in measured)
        seconds = (last - first) / 1000
    latencies = [latency for thread in threads for latency in thread["latencies_ms"]]
    return Measured(good, (sent - answered) + (answered - good), seconds, latencies)
