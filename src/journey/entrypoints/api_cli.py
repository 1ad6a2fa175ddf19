"""`journey token` (development bearer tokens) and `journey bench http`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)


def token(
    role: Annotated[
        list[str],
        typer.Option(help="customer, operator, analyst or service (repeat for several)."),
    ],
    subject: Annotated[
        str | None,
        typer.Option(help="`sub`: a staff user name, or a customer's customer_id."),
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="A customer's country (with --national-id).")
    ] = None,
    national_id: Annotated[
        str | None, typer.Option(help="A customer's national id: sub = subject_key(...).")
    ] = None,
    ttl: Annotated[
        float | None, typer.Option(min=0.1, help="Minutes until it expires (default: settings).")
    ] = None,
) -> None:
    """Print a bearer token signed with the configured key (JOURNEY_AUTH_SIGNING_KEY; the
    built-in development key when unset)."""
    from pydantic import ValidationError

    from journey.entrypoints.api.auth import ROLES, Tokens
    from journey.query_side.subjects import subject_key
    from journey.settings import AuthSettings

    try:
        settings = AuthSettings()
    except ValidationError as error:
        err.print(f"[bold red]error:[/] invalid settings: {error.errors()[0]['msg']}")
        raise typer.Exit(2) from None
    unknown = sorted(set(role) - ROLES)
    if unknown:
        err.print(f"[bold red]error:[/] unknown role(s) {unknown}: use {sorted(ROLES)}")
        raise typer.Exit(2)
    if (country is None) != (national_id is None):
        err.print("[bold red]error:[/] give --country and --national-id together")
        raise typer.Exit(2)
    if country is not None and national_id is not None:
        if subject is not None:
            err.print("[bold red]error:[/] give --subject or --country/--national-id, not both")
            raise typer.Exit(2)
        subject = subject_key(country.upper(), national_id)
    if subject is None:
        if "customer" in role:
            err.print("[bold red]error:[/] a customer token needs --subject or --national-id")
            raise typer.Exit(2)
        subject = f"dev-{sorted(role)[0]}"
    if settings.uses_development_key:
        err.print("[yellow]signed with the built-in development key: for development only[/]")
    typer.echo(Tokens(settings).issue(subject, role, ttl_minutes=ttl))


def bench_http(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Interleaved runs (medians are kept).")] = 3,
    clients: Annotated[int, typer.Option(min=1, help="Concurrent clients.")] = 50,
    requests: Annotated[int, typer.Option(min=10, help="Requests per measurement.")] = 1000,
) -> None:
    """Requests/s and latency of POST /applications and GET /applications/{id}, next to a bare
    FastAPI endpoint served the same way (uvicorn, one process), in the same run; the load comes
    from wrk (`make bench-tools`)."""
    from journey.benchmarks.http import run_http_benchmark
    from journey.benchmarks.wrk import WrkMissing

    try:
        run_http_benchmark(runs=runs, clients=clients, requests=requests, json_output=json_output)
    except (WrkMissing, ValueError) as refused:
        err.print(f"[bold red]error:[/] {refused}")
        raise typer.Exit(2) from None
