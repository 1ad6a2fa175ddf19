"""The `journey` command line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

import journey
from journey.cqrs.dead_letters import DeadLetterNotFound, discard, request_redrive
from journey.cqrs.projections import UnknownProjection
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.errors import StoreError
from journey.cqrs.store.model import DeadLetterStatus

T = TypeVar("T")

app = typer.Typer(
    name="journey",
    help="Customer Journey: a CQRS + event-sourced onboarding platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
projections_app = typer.Typer(help="Read models built from the log.", no_args_is_help=True)
dead_letters_app = typer.Typer(help="Messages that kept failing.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks against peers and raw limits.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(bench_app, name="bench")

out = Console()
err = Console(stderr=True)


def main() -> None:
    app()


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _with_kernel(work: Callable[[Kernel], Awaitable[T]]) -> T:
    """Build the platform from settings (offline: no sink, no station), run `work` on its
    kernel, close it; known failures become messages."""
    from pydantic import ValidationError

    from journey.log_config import configure_logging
    from journey.platform import build_platform
    from journey.settings import Settings

    async def run() -> T:
        try:
            settings = Settings()
        except ValidationError as error:
            raise _fail(f"invalid settings: {error.errors()[0]['msg']}", 2) from None
        configure_logging("warning", settings.log_format)
        platform = await build_platform(settings, offline=True)
        try:
            return await work(platform.kernel)
        finally:
            await platform.close()

    try:
        return asyncio.run(run())
    except (StoreError, UnknownProjection, DeadLetterNotFound, ValueError) as error:
        raise _fail(str(error)) from None


@app.command()
def version() -> None:
    """Print the version."""
    out.print(journey.__version__)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the HTTP API and run the journey's background work (embedded default)."""
    from pydantic import ValidationError

    from journey.entrypoints.api.app import create_app
    from journey.entrypoints.api.server import serve as serve_app
    from journey.log_config import configure_logging
    from journey.settings import AuthSettings, Settings

    try:
        settings = Settings()
        auth = AuthSettings()
    except ValidationError as error:
        raise _fail(f"invalid settings: {error.errors()[0]['msg']}", 2) from None
    configure_logging(settings.log_level, settings.log_format)
    bind_host = host or settings.host
    bind_port = port if port is not None else settings.port
    err.print(f"Customer Journey {journey.__version__} on http://{bind_host}:{bind_port}")
    # Event streams are told to end before uvicorn waits for open connections (server.py).
    serve_app(
        create_app(settings, auth=auth),
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level,
    )


# -- projections -----------------------------------------------------------------------------------
@projections_app.command("list")
def projections_list() -> None:
    """Each projection with its checkpoint, lag and parked dead letters."""

    async def work(kernel: Kernel) -> None:
        table = Table("projection", "checkpoint", "head", "lag", "parked")
        for status in await kernel.projections.status():
            table.add_row(
                status.name,
                str(status.checkpoint),
                str(status.head),
                str(status.lag),
                str(status.parked),
            )
        out.print(table)

    _with_kernel(work)


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help="Projection to rebuild.")],
) -> None:
    """Clear a projection's read model and rebuild it from the whole log."""

    async def work(kernel: Kernel) -> int:
        return await kernel.projections.rebuild(name)

    processed = _with_kernel(work)
    out.print(f"rebuilt [bold]{name}[/] from {processed} log positions")


# -- dead letters ----------------------------------------------------------------------------------
@dead_letters_app.command("list")
def dead_letters_list(
    consumer: Annotated[str | None, typer.Option(help="Only this consumer's.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved and discarded.")] = False,
) -> None:
    """Dead letters waiting for an operator (oldest first)."""
    statuses = None if all_ else [DeadLetterStatus.PARKED, DeadLetterStatus.REDRIVE_REQUESTED]

    async def work(kernel: Kernel) -> None:
        letters = await kernel.storage.list_dead_letters(
            consumer=consumer, statuses=statuses, limit=1000
        )
        if not letters:
            out.print("no dead letters")
            return
        table = Table("id", "consumer", "type", "status", "attempts", "parked at", "error")
        for letter in letters:
            table.add_row(
                letter.id,
                letter.consumer,
                letter.message_type,
                letter.status.value,
                str(letter.attempts),
                letter.parked_at.isoformat(timespec="seconds"),
                letter.error,
            )
        out.print(table)

    _with_kernel(work)


@dead_letters_app.command("redrive")
def dead_letters_redrive(
    ids: Annotated[list[str], typer.Argument(help="Dead letter ids to process again.")],
) -> None:
    """Process dead letters again (after a fix), each exactly once, in their original order."""

    async def work(kernel: Kernel) -> list[str]:
        queued = await request_redrive(kernel.storage, ids)
        await kernel.settle()
        return queued

    queued = _with_kernel(work)
    out.print(f"redrove {len(queued)} dead letter(s)")


@dead_letters_app.command("discard")
def dead_letters_discard(
    ids: Annotated[list[str], typer.Argument(help="Dead letter ids to give up on.")],
) -> None:
    """Give up on dead letters for good (kept, marked discarded, for audit)."""

    async def work(kernel: Kernel) -> list[str]:
        return await discard(kernel.storage, ids)

    discarded = _with_kernel(work)
    out.print(f"discarded {len(discarded)} dead letter(s)")


# -- benchmarks ------------------------------------------------------------------------------------
@bench_app.command("kernel")
def bench_kernel(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Interleaved runs (medians are kept).")] = 7,
    callers: Annotated[int, typer.Option(min=1, help="Concurrent callers.")] = 50,
    commands: Annotated[int, typer.Option(min=100, help="Commands per run.")] = 4000,
) -> None:
    """Commands/s of our kernel vs the `eventsourcing` library vs raw sqlite3 (same run)."""
    try:
        from journey.benchmarks.kernel import run_kernel_benchmark
    except ImportError as error:
        raise _fail(f"the benchmark needs the development dependencies ({error.name})") from None
    run_kernel_benchmark(runs=runs, callers=callers, commands=commands, json_output=json_output)


@bench_app.command("journey")
def bench_journey(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Runs (medians are kept).")] = 3,
    customers: Annotated[int, typer.Option(min=1, help="Journeys per run.")] = 60,
    profile: Annotated[
        Path | None, typer.Option(help="Write a cProfile of the first run here.")
    ] = None,
) -> None:
    """Whole journeys/s on the embedded default, next to the kernel's commands/s (same run)."""
    try:
        from journey.benchmarks.journey import run_journey_benchmark
    except ImportError as error:
        raise _fail(f"the benchmark needs the development dependencies ({error.name})") from None
    run_journey_benchmark(runs=runs, customers=customers, json_output=json_output, profile=profile)


@bench_app.command("stock")
def bench_stock(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Runs (medians are kept).")] = 3,
    cards: Annotated[
        list[int] | None,
        typer.Option(min=0, help="Checkpoints: cards on the stream (repeat the option)."),
    ] = None,
    window: Annotated[int, typer.Option(min=1, help="Cards timed at each checkpoint.")] = 200,
) -> None:
    """Stock command cost as one design's stream grows: kept in memory vs rebuilt (same run)."""
    from journey.benchmarks.stock import CHECKPOINTS, run_stock_benchmark

    run_stock_benchmark(
        runs=runs,
        checkpoints=tuple(cards) if cards else CHECKPOINTS,
        window=window,
        json_output=json_output,
    )


# -- other parts of the system register their commands below, one block each ---------------------

# query side: validate-id, prequalify, simulators, bench query
from journey.entrypoints.query_cli import (  # noqa: E402
    bench_query,
    prequalify,
    simulators_app,
    validate_id,
)

app.command("validate-id")(validate_id)
app.command("prequalify")(prequalify)
app.add_typer(simulators_app, name="simulators")
bench_app.command("query")(bench_query)

from journey.entrypoints.screening_cli import screen  # noqa: E402

app.command("screen")(screen)

from journey.entrypoints.testbench_cli import bench_testbench, testbench_app  # noqa: E402

app.add_typer(testbench_app, name="testbench")
bench_app.command("testbench")(bench_testbench)

from journey.entrypoints.demo_cli import demo  # noqa: E402

app.command("demo")(demo)

# HTTP API: development tokens, bench http
from journey.entrypoints.api_cli import bench_http, token  # noqa: E402

app.command("token")(token)
bench_app.command("http")(bench_http)
