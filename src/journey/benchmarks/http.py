"""The HTTP benchmark: the API's create-application command and a read-model query, next to a
bare FastAPI endpoint served the same way, in the same run.

Both servers run the same way: one uvicorn process each (`DrainingServer`, uvloop/httptools
when installed, no access log; ours writes its own request and command log lines at `info`, as
shipped, to a file), started fresh for every run and loaded by wrk
(`journey.benchmarks.wrk`: a C load generator, `clients` connections, each prepared request sent
once and timed by our script; queries and the bare endpoint get 10 x the requests, as each is
far quicker). Ours is `journey serve` as it
ships (the whole platform on a fresh SQLite store with `synchronous=FULL`, its background work
running: every application goes on through screening and an offer while we measure).

- **command**: `POST /applications` with a customer's bearer token and a full application
  (distinct customers, so each request also creates the customer's data key), answered 202.
- **query**: `GET /applications/{id}` (the `journeys` read model) over the applications just
  created, after the read model has caught up with them.
- **bare**: `POST /bare` (the same JSON body, not validated) and `GET /bare/{id}`, each a
  constant answer: what FastAPI + uvicorn cost with no work at all. Its query is also paced at
  ours' paced rate: the p99 this machine gives a server doing nothing.
- **bare durable** (context for the ratio, not a target): `POST /bare/durable`, the same bare
  endpoint that also makes the body durable before answering, as any command must — one SQLite
  transaction per request (WAL, `synchronous=FULL`, the store's file on the same disk) on a
  worker thread, the simplest durable endpoint; it does not batch commits as our store does.
- **through**: applications accepted and then screened, decided and offered (the background
  work idle again), per second from the first request: the end-to-end rate.

Targets (issue 6): command throughput at least half the bare endpoint's; query p99 at most
20 ms at 50 concurrent clients. Medians of the runs are reported (a small noisy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi import Request as Incoming
from fastapi.responses import JSONResponse

from journey.benchmarks.wrk import Measured, Request, replay, wrk_path

TARGET_RATIO = 0.5
TARGET_QUERY_P99_MS = 20.0
PACED_SHARE = 0.5  # the paced query load offers this share of the saturated query rate
WARM_UP = 50
FAST_FACTOR = 10  # queries and the bare endpoint: 10 x the requests (each is far quicker)
START_TIMEOUT = 90.0
CATCH_UP_TIMEOUT = 180.0

MODULE = "journey.benchmarks.http"  # run as `python -m` for the server processes


# -- servers --------------------------------------------------------------------------------------


class Served:
    """A server process of this module (`--serve bare|journey`), up until `stop`."""

    def __init__(self, kind: str, workdir: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # Its log goes to a file: a pipe nobody reads would fill and stop the server.
        self._log_path = workdir / f"{kind}-server.log"
        self._log = self._log_path.open("wb")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "journey.benchmarks.http",
                "--serve",
                kind,
                "--port",
                str(self.port),
            ],
            cwd=workdir,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self._stderr()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start in time")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far, user + system (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()

    def _stderr(self) -> str:
        self._log.flush()
        return self._log_path.read_bytes().decode(errors="replace")[-2000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(kind: str, port: int) -> None:
    """The server side (a child process): the bare app or the whole platform, ours logging as
    `journey serve` ships (JOURNEY_LOG_LEVEL, `info` unless set), JSON to a file."""
    from journey.entrypoints.api.server import server_for
    from journey.log_config import configure_logging
    from journey.settings import Settings

    configure_logging(Settings().log_level, "json")
    if kind == "bare":
        app = bare_app(Path("bare-durable.db"))  # in the run's own folder (the server's cwd)
    else:
        from journey.entrypoints.api.app import create_app
        from journey.settings import AuthSettings, Settings

        app = create_app(Settings(), auth=AuthSettings())
    server_for(app, host="127.0.0.1", port=port, log_level="error").run()


def bare_app(durable_path: Path | None = None) -> FastAPI:
    """The baseline: FastAPI endpoints that parse the request and answer a constant; with
    `durable_path`, also `POST /bare/durable`, which first commits the body to SQLite there."""
    app = FastAPI()
    if durable_path is not None:
        _durable_route(app, durable_path)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bare", status_code=202)
    async def bare_command(request: Incoming) -> JSONResponse:
        await request.json()
        return JSONResponse({"location": "/bare/1", "position": 1}, status_code=202)

    @app.get("/bare/{item_id}")
    async def bare_query(item_id: str) -> dict[str, str]:
        return {"id": item_id, "status": "ok"}

    return app


def _durable_route(app: FastAPI, path: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, body BLOB)")
    disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bare-durable")

    def insert(body: bytes) -> int:
        connection.execute("BEGIN IMMEDIATE")
        row = connection.execute("INSERT INTO bodies (body) VALUES (?)", (body,)).lastrowid
        connection.execute("COMMIT")
        return int(row or 0)

    @app.post("/bare/durable", status_code=202)
    async def bare_durable_command(request: Incoming) -> JSONResponse:
        body = await request.body()
        json.loads(body)  # parsed, as the bare endpoint does
        row = await asyncio.get_running_loop().run_in_executor(disk, insert, body)
        return JSONResponse({"location": f"/bare/{row}", "position": row}, status_code=202)


# -- workloads ------------------------------------------------------------------------------------


def applications(count: int, run: int, key: str) -> Iterator[tuple[str, Request]]:
    """`count` applications of distinct customers, each with the customer's own token."""
    from pydantic import SecretStr

    from journey.demo.applicants import application_for
    from journey.entrypoints.api.auth import Tokens
    from journey.query_side.population import default_population
    from journey.query_side.subjects import subject_key
    from journey.settings import AuthSettings

    tokens = Tokens(AuthSettings(signing_key=SecretStr(key)))
    people = [p for p in default_population().people if p.registry_status == "VALID"]
    for number in range(count):
        who = people[number % len(people)]
        application_id = f"bench-{run}-{number}"
        body = application_for(
            who, application_id=application_id, product_code="CLASSIC", design_code="classic-blue"
        ).model_dump(mode="json", exclude={"customer_id"})
        token = tokens.issue(subject_key(who.country, who.national_id), ["customer"])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        yield application_id, Request("POST", "/applications", headers, json.dumps(body).encode())


def measure_bare(
    workdir: Path, clients: int, requests: int, paced_rate: float
) -> dict[str, Measured]:
    """The bare endpoint: closed-loop command and query loads, and the query paced at
    `paced_rate` (ours' paced rate, so both p99s are read at the same load)."""
    server = Served("bare", workdir, {})
    try:
        server.wait_until_up()
        body = json.dumps({"padding": "x" * 600}).encode()  # about an application's size
        headers = {"Content-Type": "application/json"}
        many = requests * FAST_FACTOR
        command = [Request("POST", "/bare", headers, body)] * many
        query = [Request("GET", f"/bare/item-{n}", {}) for n in range(many)]
        durable = [Request("POST", "/bare/durable", headers, body)] * requests
        replay(server.base_url, command[: max(WARM_UP, clients)], clients, 202)
        cpu_before = server.cpu_seconds()
        measured = replay(server.base_url, command, clients, 202)
        return {
            "command": _with_cpu(measured, server.cpu_seconds() - cpu_before),
            "query": replay(server.base_url, query, clients, 200),
            "paced": replay(server.base_url, query, clients, 200, rate=paced_rate),
            "durable": replay(server.base_url, durable, clients, 202),
        }
    finally:
        server.stop()


def measure_ours(workdir: Path, run: int, clients: int, requests: int) -> dict[str, Measured]:
    key = secrets.token_hex(32)
    env = {
        "JOURNEY_EVENT_STORE": f"sqlite:///{workdir}/journey.db",
        "JOURNEY_KEY_STORE": f"sqlite:///{workdir}/keys.db",
        "JOURNEY_SMTP_PORT": "0",
        "JOURNEY_AUTH_SIGNING_KEY": key,
        "JOURNEY_AUTH_DEV_LOGIN": "false",
    }
    server = Served("journey", workdir, env)
    try:
        server.wait_until_up()
        warm_up = max(WARM_UP, clients)
        made = list(applications(requests + warm_up, run, key))
        warm, timed = made[:warm_up], made[warm_up:]
        replay(server.base_url, [request for _, request in warm], clients, 202)
        began = time.monotonic()
        cpu_before = server.cpu_seconds()
        command = replay(server.base_url, [request for _, request in timed], clients, 202)
        command = _with_cpu(command, server.cpu_seconds() - cpu_before)
        ids = [application_id for application_id, _ in timed]
        caught_up(server.base_url, ids[-1], made[-1][1].headers)
        # Accepting is not the end: each application is then screened, decided and offered.
        through = Measured(len(timed), 0, settled(server.base_url) - began, [])
        # Each customer reads their own application.
        query_requests = [
            Request("GET", f"/applications/{ids[n % len(ids)]}", timed[n % len(timed)][1].headers)
            for n in range(requests * FAST_FACTOR)
        ]
        query = replay(server.base_url, query_requests, clients, 200)
        # Latency under load, not at saturation: the same clients offering half of what
        # saturates the server (at saturation, latency is just clients / throughput).
        paced = replay(
            server.base_url, query_requests, clients, 200, rate=PACED_SHARE * query.per_s
        )
        return {"command": command, "query": query, "paced": paced, "through": through}
    finally:
        server.stop()


def _with_cpu(measured: Measured, cpu_seconds: float) -> Measured:
    """`measured` with the server's CPU per answered request during it."""
    per_request_ms = cpu_seconds * 1000 / measured.ok if measured.ok else 0.0
    return dataclasses.replace(measured, server_cpu_ms=per_request_ms)


def caught_up(base_url: str, application_id: str, headers: dict[str, str]) -> None:
    """Wait until the journeys read model has every application (the last one is there)."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while time.monotonic() < deadline:
        answer = httpx.get(f"{base_url}/applications/{application_id}", headers=headers)
        if answer.status_code == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("the read model did not catch up in time")


def settled(base_url: str) -> float:
    """Wait until the background work is idle (every consumer caught up, nothing overdue), so
    the queries are measured against the server, not against the applications' backlog.
    Returns when (monotonic) it was first seen idle."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    quiet = 0
    quiet_since = 0.0
    while time.monotonic() < deadline:
        text = httpx.get(f"{base_url}/metrics").text
        busy = [
            line
            for line in text.splitlines()
            if line.startswith(("journey_consumer_lag{", "journey_scheduled_overdue_seconds "))
            and float(line.rsplit(" ", 1)[1]) > 0
        ]
        if busy:
            quiet = 0
        else:
            quiet_since = quiet_since if quiet else time.monotonic()
            quiet += 1
        if quiet >= 3:
            return quiet_since
        time.sleep(0.5)
    raise RuntimeError("the background work did not settle in time")


# -- the benchmark --------------------------------------------------------------------------------


def run_http_benchmark(
    *, runs: int, clients: int, requests: int, json_output: bool
) -> dict[str, Any]:
    """Interleave bare and ours `runs` times; report medians and ratios (JSON or a table)."""
    if runs < 1 or clients < 1 or requests < 1:
        raise ValueError("runs, clients and requests must be at least 1")
    if requests < clients:
        raise ValueError("give at least as many requests as clients (each sends one at least)")
    wrk_path()  # before any server starts
    began = time.perf_counter()
    bare_runs: list[dict[str, Measured]] = []
    our_runs: list[dict[str, Measured]] = []
    with tempfile.TemporaryDirectory(prefix="journey-bench-http-") as scratch:
        for number in range(runs):
            folder = Path(scratch) / f"run{number}"
            folder.mkdir()
            _progress(f"run {number + 1}/{runs}: POST /applications, GET /applications/{{id}}")
            ours = measure_ours(folder, number, clients, requests)
            our_runs.append(ours)
            _progress(f"run {number + 1}/{runs}: bare endpoint")
            paced_rate = PACED_SHARE * ours["query"].per_s
            bare_runs.append(measure_bare(folder, clients, requests, paced_rate))
    result = summary(bare_runs, our_runs, runs=runs, clients=clients, requests=requests)
    result["seconds"] = round(time.perf_counter() - began, 1)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        _print(result)
    return result


def summary(
    bare: list[dict[str, Measured]],
    ours: list[dict[str, Measured]],
    *,
    runs: int,
    clients: int,
    requests: int,
) -> dict[str, Any]:
    def median(
        measures: list[dict[str, Measured]], kind: str, of: Callable[[Measured], float]
    ) -> float:
        return float(statistics.median(of(measured[kind]) for measured in measures))

    def rate(measured: Measured) -> float:
        return measured.per_s

    def server_cpu(measured: Measured) -> float:
        return measured.server_cpu_ms or 0.0

    def p50(measured: Measured) -> float:
        return measured.percentile(0.50)

    def p99(measured: Measured) -> float:
        return measured.percentile(0.99)

    command_per_s = median(ours, "command", rate)
    bare_per_s = median(bare, "command", rate)
    durable_per_s = median(bare, "durable", rate)
    query_per_s = median(ours, "query", rate)
    bare_query_per_s = median(bare, "query", rate)
    query_p99 = median(ours, "paced", p99)
    ratio = command_per_s / bare_per_s if bare_per_s else 0.0
    return {
        "runs": runs,
        "clients": clients,
        "requests": requests,
        "command_per_s": round(command_per_s, 1),
        "command_p50_ms": round(median(ours, "command", p50), 2),
        "command_p99_ms": round(median(ours, "command", p99), 2),
        "bare_per_s": round(bare_per_s, 1),
        "bare_p50_ms": round(median(bare, "command", p50), 2),
        "bare_p99_ms": round(median(bare, "command", p99), 2),
        "ratio": round(ratio, 3),
        # Server CPU per answered request during the command load (ours: background work it let
        # run included): what the ratio comes down to when the server is the bottleneck.
        "command_server_cpu_ms": round(median(ours, "command", server_cpu), 3),
        "bare_server_cpu_ms": round(median(bare, "command", server_cpu), 3),
        # Context, not the target: the bare endpoint committing each body durably first.
        "bare_durable_per_s": round(durable_per_s, 1),
        "bare_durable_p99_ms": round(median(bare, "durable", p99), 2),
        "ratio_vs_bare_durable": round(command_per_s / durable_per_s, 3) if durable_per_s else 0.0,
        "query_per_s": round(query_per_s, 1),
        "query_p50_ms": round(median(ours, "query", p50), 2),
        "query_p99_ms": round(query_p99, 2),
        "query_paced_p50_ms": round(median(ours, "paced", p50), 2),
        "query_paced_per_s": round(median(ours, "paced", rate), 1),
        "query_saturated_p99_ms": round(median(ours, "query", p99), 2),
        "bare_query_per_s": round(bare_query_per_s, 1),
        "bare_query_p99_ms": round(median(bare, "query", p99), 2),
        "bare_query_paced_p99_ms": round(median(bare, "paced", p99), 2),
        # Applications accepted *and* screened, decided and offered, per second of the burst
        # and its aftermath: what the embedded server sustains end to end.
        "applications_through_per_s": round(median(ours, "through", rate), 1),
        "query_ratio": round(query_per_s / bare_query_per_s, 3) if bare_query_per_s else 0.0,
        "errors": sum(m.errors for run in (*bare, *ours) for m in run.values()),
        "target_ratio": TARGET_RATIO,
        "target_query_p99_ms": TARGET_QUERY_P99_MS,
        "meets_command_target": ratio >= TARGET_RATIO,
        "meets_query_target": query_p99 <= TARGET_QUERY_P99_MS,
    }


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"HTTP benchmark (medians of {result['runs']} runs, {result['clients']} clients)"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)
    Console().print(
        f"command: {result['command_per_s']:,} req/s = {result['ratio']:.0%} of the bare "
        f"endpoint's {result['bare_per_s']:,} (target ≥ {TARGET_RATIO:.0%}), "
        f"{result['ratio_vs_bare_durable']:.0%} of the same endpoint committing each body "
        f"({result['bare_durable_per_s']:,}); "
        f"query p99 {result['query_p99_ms']} ms (target ≤ {TARGET_QUERY_P99_MS:g} ms)"
    )


def _progress(message: str) -> None:
    sys.stderr.write(f"[bench http] {message}\n")
    sys.stderr.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description="journey bench http (or one of its servers)")
    parser.add_argument("--serve", choices=["bare", "journey"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--runs", type=int, default=3, help="runs (medians are kept)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=1000, help="requests per measurement")
    args = parser.parse_args()
    if args.serve is not None:
        _serve(args.serve, args.port)
        return
    run_http_benchmark(
        runs=args.runs, clients=args.clients, requests=args.requests, json_output=args.json
    )


if __name__ == "__main__":
    main()
