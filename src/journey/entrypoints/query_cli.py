"""Query-side commands: `journey validate-id`, `journey prequalify`, `journey simulators serve`."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from journey.query_side.citizen.national_ids import COUNTRIES, UnsupportedCountry, validate

out = Console()
err = Console(stderr=True)

simulators_app = typer.Typer(help="Simulated outside systems.", no_args_is_help=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def validate_id(
    national_id: Annotated[str, typer.Argument(metavar="ID", help="The id, in any usual format.")],
    country: Annotated[str, typer.Option(help=f"ISO country code: {', '.join(COUNTRIES)}.")],
    document: Annotated[
        str | None, typer.Option(help="RUT, DNI, RUC, NIT, CC, CURP, CPF, CUIT, CI.")
    ] = None,
    registry: Annotated[
        bool, typer.Option("--registry", help="Also ask the (simulated) civil registry.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check a national id's check digits (and, with --registry, the civil registry)."""
    try:
        check = validate(country, national_id, document.upper() if document else None)
    except UnsupportedCountry as error:
        raise _fail(str(error), 2) from None
    answer: dict[str, object] = check.as_json()
    if registry and check.valid:
        import asyncio

        from journey.query_side.citizen.service import CitizenValidator
        from journey.query_side.citizen.simulator import SimulatedRegistry

        validation = asyncio.run(
            CitizenValidator(SimulatedRegistry()).validate(country, national_id)
        )
        answer["registry_status"] = validation.registry_status
    if json_output:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        table = Table(show_header=False)
        for name, value in answer.items():
            table.add_row(name, str(value))
        out.print(table)
    if not check.valid:
        raise typer.Exit(1)


@simulators_app.command("serve")
def simulators_serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8100,
    latency_ms: Annotated[float, typer.Option(min=0, help="Added latency per call.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(min=0, help="Up to this much more latency.")] = 0.0,
    error_rate: Annotated[float, typer.Option(min=0, max=1, help="Share of calls failing.")] = 0.0,
) -> None:
    """Serve the simulated registry, CRM, CDP and bureaus over HTTP (point
    JOURNEY_PROVIDERS at it)."""
    import uvicorn

    from journey.query_side.http.server import create_simulators_app
    from journey.query_side.simulators import Simulators

    sims = Simulators.build(
        latency=latency_ms / 1000, jitter=jitter_ms / 1000, error_rate=error_rate
    )
    err.print(
        f"simulated providers on http://{host}:{port} (JOURNEY_PROVIDERS=http://{host}:{port})"
    )
    uvicorn.run(create_simulators_app(sims), host=host, port=port, log_level="warning")


def parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{text!r} is not a date (use YYYY-MM-DD)", 2) from None
