"""`journey screen`: one name against the restrictive lists (sanctions, PEP, internal).

The output is for the bank's staff: it shows which listed person a name may be. Nothing here is
ever shown to an applicant (no tipping off).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from pydantic import ValidationError

    from journey.query_side.restrictive_lists.model import ScreeningResult

_out = Console()
_err = Console(stderr=True)
_OUTCOME_STYLE = {"CLEAR": "bold green", "POSSIBLE_MATCH": "bold yellow", "HIT": "bold red"}


def _fail(message: str, code: int = 1) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def screen(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The full name to screen, in any order.")
    ],
    *,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="Birth date, YYYY-MM-DD.")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Country, ISO 3166-1 alpha-2 (e.g. CO).")
    ] = None,
    gender: Annotated[str | None, typer.Option("--gender", help="F or M.")] = None,
    lists_dir: Annotated[
        Path | None,
        typer.Option(
            "--lists-dir",
            help="Directory of list files (sdn.csv, consolidated.xml, pep.csv, internal.csv); "
            "default: JOURNEY_LISTS_DIR, else the synthetic samples shipped with the package.",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Screen a name against the sanctions (OFAC SDN, UN), PEP and internal lists."""
    from pydantic import ValidationError

    from journey.log_config import configure_logging
    from journey.query_side.restrictive_lists.lists import ListLoadError
    from journey.query_side.restrictive_lists.model import ScreeningSubject
    from journey.query_side.restrictive_lists.screening import (
        ScreeningEngine,
        ScreeningSettings,
    )

    configure_logging("warning")
    born = _birth_date(birth_date)
    try:
        subject = ScreeningSubject(
            full_name=name,
            birth_date=born,
            country=country,
            gender=gender.upper() if gender else None,
        )
    except ValidationError as error:
        raise _fail(_first_problem(error), 2) from None
    try:
        settings = ScreeningSettings()
    except ValidationError as error:
        raise _fail(f"invalid settings: {_first_problem(error)}", 2) from None
    if lists_dir is not None:
        settings = settings.model_copy(update={"lists_dir": lists_dir})
    try:
        engine = ScreeningEngine.from_settings(settings)
    except ListLoadError as error:
        raise _fail(str(error)) from None
    result = asyncio.run(engine.screen(subject))
    if json_output:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        _print(result)


def _birth_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"invalid birth date {text!r}: use YYYY-MM-DD", 2) from None


def _first_problem(error: ValidationError) -> str:
    if not error.errors():
        return str(error)
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where.replace('_', ' ')}: {message}" if where else message


def _print(result: ScreeningResult) -> None:
    style = _OUTCOME_STYLE[result.outcome]
    thresholds = result.thresholds
    _out.print(
        f"[{style}]{result.outcome.value}[/]  (HIT at {thresholds.match:.2f} or more, "
        f"POSSIBLE_MATCH at {thresholds.review:.2f} or more)"
    )
    if result.hits:
        table = Table("score", "outcome", "entry", "name", "qualifiers")
        for hit in result.hits:
            # List data may hold brackets: escape it so rich does not read it as markup.
            labels = escape(", ".join((*hit.topics, *hit.programs)))
            name = escape(hit.name)
            if hit.matched_name != hit.name:
                kind = hit.matched_name_kind.replace("_", " ")
                name += f"\n[dim]via {kind}[/] {escape(hit.matched_name)}"
            table.add_row(
                f"{hit.score:.3f}",
                f"[{_OUTCOME_STYLE[hit.outcome]}]{hit.outcome.value}[/]",
                f"{escape(hit.list_name)} {escape(hit.entry_id)}\n[dim]{labels}[/]",
                name,
                "\n".join(f"{a.feature} {a.delta:+.2f}" for a in hit.adjustments if a.delta) or "-",
            )
        _out.print(table)
    if result.cleared:
        _out.print(f"{len(result.cleared)} hit(s) already cleared by an analyst for this person")
    consulted = ", ".join(
        f"{version.name} {version.version} ({version.entries} entries)" for version in result.lists
    )
    _out.print(f"lists: {consulted}", highlight=False)
