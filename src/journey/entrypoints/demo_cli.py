"""`journey demo`: synthetic customers through the whole journey, then a summary and the
invariants. Exits 1 when an invariant breaks, so scripts and CI can rely on it."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from journey.demo.report import Summary

out = Console()
err = Console(stderr=True)

ROWS = (
    ("customers", "customers"),
    ("approved", "approved"),
    ("declined", "declined"),
    ("referred", "referred to an analyst"),
    ("issued", "card issued"),
    ("shipped", "shipped"),
    ("delivered", "delivered"),
    ("activated", "activated"),
    ("compensated", "compensated (undone)"),
    ("expired", "offer expired"),
    ("withdrawn", "withdrawn"),
    ("waiting_on_human", "waiting on a person"),
    ("stuck", "stuck (operator alerted)"),
    ("cards_issued", "cards made (with reissues)"),
    ("reissued_rf_failed", "RF test failures (reissued)"),
    ("reissued_misprinted", "misprints (reissued)"),
    ("returned_to_sender", "returned to sender"),
    ("emails_received", "emails at the SMTP sink"),
    ("simulated_days", "simulated days"),
    ("seconds", "wall seconds"),
    ("journeys_per_s", "journeys per second"),
    ("p50_journey_ms", "p50 journey (ms, wall)"),
    ("p99_journey_ms", "p99 journey (ms, wall)"),
)


def demo(
    customers: Annotated[int, typer.Option(min=1, max=100_000, help="Applicants to drive.")] = 200,
    seed: Annotated[int, typer.Option(help="Same seed, same customers and outcomes.")] = 7,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    store: Annotated[
        str, typer.Option(help="sqlite (a fresh temporary store, the default) or memory.")
    ] = "sqlite",
) -> None:
    """Drive N synthetic applicants through the journey on a fast clock, then check the
    invariants (stock conserved, no card or fee twice, every journey over or waiting)."""
    from journey.demo.driver import DemoOptions, run_demo
    from journey.demo.report import summarize
    from journey.log_config import configure_logging

    if store not in ("sqlite", "memory"):
        err.print(f"[bold red]error:[/] --store must be sqlite or memory, not {store!r}")
        raise typer.Exit(2)
    chosen: Literal["sqlite", "memory"] = "sqlite" if store == "sqlite" else "memory"
    configure_logging("error", "console")
    options = DemoOptions(customers=customers, seed=seed, store=chosen)

    async def run() -> Summary:
        progress = Progress(
            TextColumn("journeys"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=json_output,
        )
        with progress:
            task = progress.add_task("journeys", total=customers)
            result = await run_demo(
                options, progress=lambda done, total: progress.update(task, completed=done)
            )
        try:
            return await summarize(result)
        finally:
            await result.platform.close()

    summary = asyncio.run(run())
    if json_output:
        out.print_json(json.dumps(summary.as_json()))
    else:
        _print(summary)
    if not summary.invariants_ok:
        raise typer.Exit(1)


def _print(summary: Summary) -> None:
    table = Table(title="Onboarding demo", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, label in ROWS:
        value = summary.counts.get(key)
        table.add_row(label, "-" if value is None else str(value))
    out.print(table)
    scenarios = Table(title="By scenario")
    scenarios.add_column("scenario")
    scenarios.add_column("ended as")
    for name, counts in sorted(summary.by_scenario.items()):
        scenarios.add_row(name, ", ".join(f"{status} {n}" for status, n in counts.most_common()))
    out.print(scenarios)
    for invariant in summary.invariants:
        mark = "[green]ok[/]" if invariant.ok else "[bold red]BROKEN[/]"
        out.print(f"{mark}  {invariant.name}: {invariant.detail}")
