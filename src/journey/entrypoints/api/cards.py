"""Cards: the customer activates theirs; operators read the RF test bench's verdicts."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from journey.command_side.issuance.commands import ActivateCard
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import (
    CommandAccepted,
    IdempotencyKey,
    KernelDep,
    card_for,
    checked_id,
    consistent,
    send_command,
)
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, not_found
from journey.onboarding.read_models import JOURNEYS
from journey.testbench.integration import RESULTS

RF_TESTS = "testbench.card_rf_test"
MAX_REISSUES = 50

router = APIRouter(tags=["cards"], responses=PROBLEM_RESPONSES)
Operator = Annotated[Principal, Depends(allow("operator"))]


@router.post(
    "/cards/{card_id}/activation",
    status_code=202,
    responses={202: {"model": CommandAccepted}},
    response_class=JSONResponse,
)
async def activate_card(
    card_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(allow("customer"))],
    kernel: KernelDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The customer activates the card they received (only their own)."""
    owner = await card_for(kernel, principal, card_id)
    if owner != principal.subject:
        raise not_found("card")
    return await send_command(
        request,
        principal,
        ActivateCard(card_id=card_id),
        location=f"/cards/{card_id}",
        idempotency_key=idempotency_key,
        result=lambda value: value,
    )


@router.get("/cards/{card_id}/rf-tests", dependencies=[Depends(consistent(RF_TESTS))])
async def card_rf_tests(card_id: str, principal: Operator, kernel: KernelDep) -> dict[str, Any]:
    """The test bench's verdict for the card and the measurements behind it (`record`:
    phases, attempts, measurements with their limits)."""
    checked_id(card_id, "card")
    row = await kernel.storage.get_document(RESULTS, card_id)
    if row is None:
        raise not_found("RF test for this card")
    return row


@router.get(
    "/applications/{application_id}/rf-tests",
    dependencies=[Depends(consistent(RF_TESTS, "journey_status"))],
)
async def application_rf_tests(
    application_id: str, principal: Operator, kernel: KernelDep
) -> list[dict[str, Any]]:
    """The verdicts of every card made for the application, reissues included, oldest first."""
    checked_id(application_id, "application")
    journey = await kernel.storage.get_document(JOURNEYS, application_id)
    if journey is None:
        raise not_found("application")
    rows = []
    for card_id in _cards_of(application_id, journey.get("card_id")):
        row = await kernel.storage.get_document(RESULTS, card_id)
        if row is not None:
            rows.append(row)
    return rows


def _cards_of(application_id: str, latest: str | None) -> list[str]:
    # The journey names a reissue "<application>-c<generation>" (onboarding saga), so the
    # latest card's name tells every earlier one's.
    if latest is None:
        return []
    found = re.fullmatch(re.escape(application_id) + r"-c(\d+)", latest)
    if found is None:
        return [latest]
    generations = min(int(found.group(1)), MAX_REISSUES)
    return [f"{application_id}-c{n}" for n in range(generations + 1)]
