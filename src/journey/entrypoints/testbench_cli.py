"""`journey testbench ...`: serve simulated instruments, identify instruments, test a lot of cards.

Registered on the main CLI at the end of `journey.entrypoints.cli`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

testbench_app = typer.Typer(
    help="The RF test station: simulated instruments, identities, test runs.",
    no_args_is_help=True,
)

# Off a terminal (pipes, CI logs) rich assumes 80 columns, which truncates the verdict table.
out = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)

StationOption = Annotated[
    Path | None,
    typer.Option(
        "--station", help="Station file (TOML); the packaged loopback station if omitted."
    ),
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _load(path: Path | None) -> Any:
    from journey.testbench.errors import StationConfigError
    from journey.testbench.station import load_station

    try:
        return load_station(path)
    except StationConfigError as error:
        raise _fail(str(error), 2) from None


def _simulation(seed: int, defect_rate: float, fast: bool) -> Any:
    from journey.testbench.simulators.config import SimulationConfig, Timing

    return SimulationConfig(seed=seed, timing=Timing.fast() if fast else Timing()).with_defect_rate(
        defect_rate
    )


@testbench_app.command()
def simulate(
    station: StationOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the card population and the noise.")] = 1,
    defect_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of defective cards.")
    ] = 0.08,
    fast: Annotated[bool, typer.Option(help="Hundredfold faster instrument timings.")] = False,
) -> None:
    """Serve simulated instruments at the station file's addresses until interrupted."""
    from journey.testbench.simulators.host import SimulatorHost

    config = _load(station)
    try:
        host = SimulatorHost(config, _simulation(seed, defect_rate, fast), use_station_ports=True)
    except ValueError as error:
        raise _fail(f"cannot simulate this station: {error}", 2) from None

    async def serve() -> None:
        try:
            await host.start()
        except OSError as error:
            raise _fail(f"cannot listen: {error}") from None
        table = Table("instrument", "kind", "address")
        for name, address in host.addresses.items():
            table.add_row(name, config.instruments[name].kind, address)
        out.print(table)
        out.print("simulated instruments ready; Ctrl-C (or SIGTERM) stops them", style="bold")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
                loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await host.stop()
        out.print("simulated instruments stopped")

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


@testbench_app.command()
def idn(
    station: StationOption = None,
    timeout: Annotated[float, typer.Option(min=0.05, help="Seconds to wait for each.")] = 2.0,
) -> None:
    """List the station's instruments with the identity each one reports (`*IDN?`)."""
    from journey.testbench.errors import TestbenchError
    from journey.testbench.instruments import DRIVERS

    config = _load(station)
    table = Table("instrument", "kind", "address", "identity")
    unreachable = 0
    for name, entry in config.instruments.items():
        driver = DRIVERS[entry.kind](
            name, entry.address, visa_library=config.visa_library, timeout_s=timeout
        )
        try:
            with driver:
                identity = str(driver.identify())
        except TestbenchError as error:
            unreachable += 1
            identity = f"[red]unreachable: {error}[/]"
        table.add_row(name, entry.kind, entry.address, identity)
    out.print(table)
    if unreachable:
        raise _fail(f"{unreachable} instrument(s) did not answer")


@testbench_app.command()
def run(
    cards: Annotated[int, typer.Option(min=1, max=100_000, help="Cards to test.")] = 20,
    sites: Annotated[int, typer.Option(min=1, help="Fixture positions used at once.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the simulated card lot.")] = 1,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    station: StationOption = None,
    defect_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of defective cards (simulated).")
    ] = 0.08,
    fast: Annotated[bool, typer.Option(help="Hundredfold faster simulated timings.")] = False,
    external: Annotated[
        bool,
        typer.Option(
            help="Use the instruments at the station's addresses (real ones, or `simulate` "
            "running elsewhere) instead of starting simulators; no accuracy then."
        ),
    ] = False,
    records: Annotated[
        Path | None, typer.Option(help="Write one JSON test record per card here.")
    ] = None,
) -> None:
    """Test a lot of cards (simulated instruments unless --external) and print the verdicts."""
    from journey.testbench.errors import TestbenchError
    from journey.testbench.multisite import MultiSiteRunner
    from journey.testbench.runtime import open_station
    from journey.testbench.simulators.host import SimulatorHost
    from journey.testbench.simulators.truth import score

    config = _load(station)
    positions = sorted(config.positions)
    if sites > len(positions):
        raise _fail(f"--sites {sites}: the station has {len(positions)} fixture positions", 2)
    host = None
    if not external:
        host = SimulatorHost(config, _simulation(seed, defect_rate, fast)).start_in_thread()
        config = host.station()
    try:
        try:
            bench = open_station(config)
        except TestbenchError as error:
            raise _fail(f"station not ready: {error}") from None
        try:
            ids = [f"C{seed:04d}-{index:05d}" for index in range(1, cards + 1)]
            result = MultiSiteRunner(bench, sites=positions[:sites]).run(ids)
        finally:
            bench.close()
        truths = None
        if host is not None:
            truths = host.call(lambda sim: {r.dut_id: sim.truth(r.dut_id) for r in result.records})
    finally:
        if host is not None:
            host.stop_thread()
    if records is not None:
        for record in result.records:
            record.write(records)
    summary: dict[str, Any] = {
        "cards": len(result.records),
        "passed": sum(1 for r in result.records if r.verdict.value == "PASS"),
        "failed": sum(1 for r in result.records if r.verdict.value == "FAIL"),
        "errors": sum(1 for r in result.records if r.verdict.value == "ERROR"),
        "marginal": sum(1 for r in result.records if r.marginal),
        "retries": sum(r.retries for r in result.records),
        "sites": sites,
        "seed": seed,
        "elapsed_s": round(result.elapsed_s, 3),
        "cards_per_min": round(result.cards_per_min, 1),
        "accuracy": None,
        "max_f0_error_pct": None,
        "untested": len(result.untested),
    }
    if truths is not None:
        scored = score(result.records, truths, config)
        summary["accuracy"] = round(scored.accuracy, 4)
        summary["max_f0_error_pct"] = round(scored.max_f0_error_pct, 4)
        summary["false_passes"] = scored.false_passes
    if json_output:
        summary["verdicts"] = [
            {
                "dut_id": r.dut_id,
                "position": r.position,
                "verdict": r.verdict.value,
                "marginal": r.marginal,
                "failed_measurements": r.failed_measurements,
                "retries": r.retries,
                "record_id": r.record_id,
                "error": r.error or _phase_error(r),
            }
            for r in result.records
        ]
        summary["site_errors"] = result.site_errors
        print(json.dumps(summary))
    else:
        _print_run(result, summary)
    if result.site_errors or result.untested:
        raise typer.Exit(1)


def _phase_error(record: Any) -> str | None:
    for phase in record.phases:
        for attempt in phase.attempts:
            if attempt.error:
                return f"{phase.name}: {attempt.error}"
    return None


def _print_run(result: Any, summary: dict[str, Any]) -> None:
    table = Table("card", "pos", "verdict", "f0 MHz", "Q", "Hmin A/m", "LM dBm", "failed")
    for record in result.records:
        f0 = record.measurement("resonance_frequency")
        q = record.measurement("quality_factor")
        hmin = record.measurement("minimum_operating_field")
        lm = record.measurement("load_modulation_sideband")
        verdict = record.verdict.value + (" (marginal)" if record.marginal else "")
        colour = {"PASS": "green", "FAIL": "red"}.get(record.verdict.value, "yellow")
        table.add_row(
            record.dut_id,
            str(record.position),
            f"[{colour}]{verdict}[/]",
            _fmt(f0.value if f0 else None, 1e-6, "{:.4f}"),
            _fmt(q.value if q else None, 1, "{:.1f}"),
            _fmt(hmin.value if hmin else None, 1, "{:.2f}"),
            _fmt(lm.value if lm else None, 1, "{:.1f}"),
            ", ".join(record.failed_measurements) or (_phase_error(record) or ""),
        )
    out.print(table)
    for error in result.site_errors:
        err.print(f"[yellow]{error}[/]")
    out.print("  ".join(f"{key}={value}" for key, value in summary.items() if key != "verdicts"))


def _fmt(value: Any, scale: float, pattern: str) -> str:
    if value is None or isinstance(value, bool):
        return "-"
    return pattern.format(value * scale)


def bench_testbench(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    cards: Annotated[
        int, typer.Option(min=8, help="Cards per run (single-site, multi-site).")
    ] = 80,
    sites: Annotated[int, typer.Option(min=2, max=4, help="Sites in the multi-site run.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the simulated card lot.")] = 7,
    defect_rate: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.15,
) -> None:
    """Single-site vs multi-site throughput on the same simulated lot, accuracy vs hidden truth."""
    from journey.benchmarks.testbench import run_testbench_benchmark

    run_testbench_benchmark(
        cards=cards, sites=sites, seed=seed, defect_rate=defect_rate, json_output=json_output
    )
