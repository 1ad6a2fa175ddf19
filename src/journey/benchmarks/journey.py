"""The journey benchmark: whole onboarding journeys per second on the embedded default.

Every journey is a clean applicant driven from application to an active card through every
service (prequalification against zero-latency simulators, issuance, stock, payments, the
pivot, the RF station on simulated instruments, logistics with the simulated carrier, email
with the welcome PDF over SMTP to the local sink, the CRM update), on SQLite with the default
durability. Alongside, in the same run, the kernel benchmark's commands/s on the same machine,
so the cost of a journey can be read in commands: commands per journey times the time a command
costs on its own, against the time a journey really takes.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from journey.benchmarks.kernel import distinct_plan, run_ours
from journey.cqrs.bus.command_bus import CommandResult, Dispatch, Next
from journey.demo.driver import DemoOptions, DemoRun, run_demo
from journey.demo.report import summarize
from journey.log_config import configure_logging

TARGET_JOURNEYS_PER_S = 500.0
KERNEL_CALLERS = 50
KERNEL_COMMANDS = 2000


class CommandCounter:
    """Command middleware counting every command handled (the saga's, the scheduler's...)."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, dispatch: Dispatch, call_next: Next) -> CommandResult:
        self.count += 1
        return await call_next(dispatch)


async def run_journeys(customers: int, seed: int, workdir: Path) -> dict[str, Any]:
    """One run: `customers` clean journeys together, measured end to end."""
    counter = CommandCounter()
    run: DemoRun = await run_demo(
        DemoOptions(
            customers=customers,
            seed=seed,
            store="sqlite",
            synchronous="FULL",
            mix={},
            rf_defect_rate=0.0,
            misprint_rate=0.0,
        ),
        workdir=workdir,
        on_platform=lambda platform: platform.kernel.commands.use(counter),
    )
    try:
        summary = await summarize(run)
    finally:
        await run.platform.close()
    walls = sorted(outcome.wall_ms for outcome in run.outcomes)
    activated = summary.counts["activated"]
    return {
        "journeys": customers,
        "activated": activated,
        "seconds": run.seconds,
        "journeys_per_s": customers / run.seconds,
        "p50_journey_ms": _percentile(walls, 0.50),
        "p99_journey_ms": _percentile(walls, 0.99),
        "commands": counter.count,
        "commands_per_s": counter.count / run.seconds,
        "invariants_ok": summary.invariants_ok,
        "stuck": summary.counts["stuck"],
    }


def _percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def run_journey_benchmark(
    *,
    runs: int,
    customers: int,
    json_output: bool,
    seed: int = 11,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Interleave journey runs with kernel runs; report medians and ratios (JSON or a table)."""
    if runs < 1 or customers < 1:
        raise ValueError("runs and customers must be at least 1")
    configure_logging("error")
    journey_runs: list[dict[str, Any]] = []
    kernel_rates: list[float] = []
    with tempfile.TemporaryDirectory(prefix="journey-bench-") as scratch:
        for number in range(runs):
            _progress(f"run {number + 1}/{runs}: {customers} journeys")
            folder = Path(scratch) / f"run{number}"
            folder.mkdir()
            work = run_journeys(customers, seed + number, folder)
            if profile is not None and number == 0:
                journey_runs.append(_profiled(work, profile))
            else:
                journey_runs.append(asyncio.run(work))
            _progress(f"run {number + 1}/{runs}: kernel")
            measured = asyncio.run(
                run_ours(folder / "kernel.db", distinct_plan(KERNEL_CALLERS, KERNEL_COMMANDS))
            )
            kernel_rates.append(measured.rate)
    result = _summary(journey_runs, kernel_rates, runs=runs, customers=customers)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        _print(result)
    return result


def _profiled(work: Coroutine[Any, Any, dict[str, Any]], path: Path) -> dict[str, Any]:
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        return asyncio.run(work)
    finally:
        profiler.disable()
        profiler.dump_stats(str(path))
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
        sys.stderr.write(text.getvalue())


def _summary(
    journeys: list[dict[str, Any]], kernel_rates: list[float], *, runs: int, customers: int
) -> dict[str, Any]:
    def median(key: str) -> float:
        return float(statistics.median(run[key] for run in journeys))

    journeys_per_s = median("journeys_per_s")
    kernel_per_s = statistics.median(kernel_rates)
    commands_per_journey = median("commands") / customers
    # What the journeys' commands would cost at the kernel benchmark's rate, against what a
    # journey really costs: the rest is the services' own work (PDF, SMTP, RF station, checks).
    kernel_share = (commands_per_journey / kernel_per_s) * journeys_per_s
    return {
        "runs": runs,
        "journeys_per_run": customers,
        "journeys_per_s": round(journeys_per_s, 2),
        "p50_journey_ms": round(median("p50_journey_ms"), 1),
        "p99_journey_ms": round(median("p99_journey_ms"), 1),
        "commands_per_journey": round(commands_per_journey, 1),
        "journey_commands_per_s": round(median("commands_per_s"), 1),
        "kernel_commands_per_s": round(kernel_per_s, 1),
        "kernel_share_of_journey_time": round(kernel_share, 3),
        "target_journeys_per_s": TARGET_JOURNEYS_PER_S,
        "ratio_to_target": round(journeys_per_s / TARGET_JOURNEYS_PER_S, 4),
        "invariants_ok": all(run["invariants_ok"] for run in journeys),
        "stuck": max(run["stuck"] for run in journeys),
        "activated_share": round(
            statistics.median(run["activated"] / customers for run in journeys), 3
        ),
    }


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Journey benchmark (medians of {result['runs']} runs)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)


def _progress(message: str) -> None:
    sys.stderr.write(f"[bench journey] {message}\n")
    sys.stderr.flush()
