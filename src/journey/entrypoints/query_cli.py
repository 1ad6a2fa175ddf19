"""Query-side commands: `journey validate-id`, `journey prequalify`, `journey simulators serve`."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from journey.catalog import UnknownProduct, default_catalog
from journey.query_side.citizen.national_ids import COUNTRIES, UnsupportedCountry, validate
from journey.query_side.prequalification.model import Prequalification

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


def prequalify(
    national_id: Annotated[str, typer.Option(help="The applicant's national id.")],
    country: Annotated[str, typer.Option(help=f"ISO country code: {', '.join(COUNTRIES)}.")],
    product: Annotated[str, typer.Option(help="Product code, e.g. CLASSIC, GOLD.")],
    given_names: Annotated[
        str | None, typer.Option(help="As on the id (default: the registry's record).")
    ] = None,
    surnames: Annotated[
        str | None, typer.Option(help="Space-separated (default: the registry's record).")
    ] = None,
    birth_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the registry's record).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="For identity resolution in the CDP.")] = None,
    phone: Annotated[str | None, typer.Option(help="For identity resolution in the CDP.")] = None,
    bureau_consent: Annotated[
        bool, typer.Option(help="The applicant authorized the bureau check.")
    ] = True,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ask every outside system at once and say which products the applicant may have."""
    import asyncio

    from pydantic import ValidationError

    from journey.bootstrap import bootstrap
    from journey.cqrs.store.errors import StoreError
    from journey.log_config import configure_logging
    from journey.query_side.assembly import install_query_side
    from journey.query_side.prequalification.model import Applicant, PrequalificationRequest
    from journey.settings import Settings

    born = parse_date(birth_date)
    try:
        default_catalog().product(product)
    except UnknownProduct as error:
        raise _fail(str(error), 2) from None

    async def run() -> Prequalification:
        settings = Settings()
        configure_logging("warning", settings.log_format)
        kernel = await bootstrap(settings)
        query_side = await install_query_side(kernel, settings)
        try:
            names = (given_names, surnames.split() if surnames else None, born)
            if None in names:
                record = await query_side.citizen.record(country, national_id)
                if record is None:
                    raise _fail(
                        "the registry does not know this id: give --given-names, --surnames "
                        "and --birth-date",
                        2,
                    )
                names = (
                    given_names or record.given_names,
                    surnames.split() if surnames else list(record.surnames),
                    born or record.birth_date,
                )
            applicant = Applicant(
                country=country,
                national_id=national_id,
                given_names=names[0],
                surnames=names[1],
                birth_date=names[2],
                email=email,
                phone=phone,
            )
            return await query_side.prequalifier.prequalify(
                PrequalificationRequest(
                    applicant=applicant, product_code=product, bureau_consent=bureau_consent
                )
            )
        finally:
            await query_side.close()
            await kernel.close()

    try:
        result = asyncio.run(run())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _fail(f"invalid {where or 'input'}: {first['msg']}", 2) from None
    except UnsupportedCountry as error:
        raise _fail(str(error), 2) from None
    except StoreError as error:
        raise _fail(str(error)) from None
    _show(result, json_output)


def _show(result: Prequalification, json_output: bool) -> None:
    summary = {
        **result.for_customer(),
        "risk_tier": result.risk_tier,
        "elapsed_ms": result.elapsed_ms,
        "checks": [
            {
                "service": check.service,
                "verdict": check.verdict.value,
                "outcome": check.outcome,
                "provider": check.provider,
                "from_cache": check.from_cache,
                "elapsed_ms": check.elapsed_ms,
                "reasons": check.reasons,
            }
            for check in result.checks
        ],
    }
    if json_output:
        print(json.dumps(summary, ensure_ascii=False))
        return
    out.print(
        f"[bold]{result.decision.value}[/] for {result.product_code} ({result.elapsed_ms} ms)"
    )
    for reason in result.customer_reasons:
        out.print(f"  - {reason}")
    if result.offers:
        offers = Table("offer", "limit", "annual fee", "designs")
        for offer in result.offers:
            offers.add_row(
                offer.code, str(offer.credit_limit), str(offer.annual_fee), ", ".join(offer.designs)
            )
        out.print(offers)
    checks = Table("check", "verdict", "outcome", "provider", "ms", "reasons")
    for check in result.checks:
        checks.add_row(
            check.service,
            check.verdict.value,
            check.outcome,
            check.provider,
            f"{check.elapsed_ms:.1f}",
            "; ".join(check.reasons),
        )
    out.print(checks)


def bench_query(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Prequalification runs (medians).")] = 5,
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight.")] = 100,
    requests: Annotated[int, typer.Option(min=1, help="Requests per run.")] = 1000,
    latency_ms: Annotated[float, typer.Option(min=0, help="Per provider call.")] = 50.0,
    entries: Annotated[int, typer.Option(min=100, help="Listed persons to screen.")] = 10_000,
    replicas: Annotated[
        int, typer.Option(min=1, help="Also spread the load over this many processes (1: not).")
    ] = 2,
) -> None:
    """Prequalification latency (concurrent vs sequential vs cached) and screening figures."""
    from journey.benchmarks.query import run_query_benchmark

    run_query_benchmark(
        runs=runs,
        concurrency=concurrency,
        requests=requests,
        latency_ms=latency_ms,
        screening_entries=entries,
        replicas=replicas,
        json_output=json_output,
    )
