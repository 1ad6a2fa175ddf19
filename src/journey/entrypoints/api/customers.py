"""A customer as operators see them (their journeys, the CRM's record) and their erasure."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from journey.command_side.issuance.application import Application
from journey.command_side.issuance.events import ApplicationSubmitted
from journey.cqrs.context import MessageContext, handling
from journey.cqrs.privacy.erasure import erase_subject, erasure_stream
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import CommandAccepted, KernelDep, consistent, platform_of
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, not_found
from journey.onboarding.queries import ListCustomerJourneys
from journey.query_side.resilience import ProviderUnavailable

router = APIRouter(tags=["customers"], responses=PROBLEM_RESPONSES)
Operator = Annotated[Principal, Depends(allow("operator"))]
CUSTOMER_ID = re.compile(r"^subj-[0-9a-f]{32}$")  # journey.query_side.subjects.subject_key


def _checked(customer_id: str) -> str:
    if not CUSTOMER_ID.fullmatch(customer_id):
        raise not_found("customer")
    return customer_id


@router.get("/customers/{customer_id}", dependencies=[Depends(consistent("journey_status"))])
async def get_customer(
    customer_id: str, request: Request, principal: Operator, kernel: KernelDep
) -> dict[str, Any]:
    """The customer's journeys (oldest first), whether they were erased, and the CRM's record
    of them (None when they are not a customer there, were erased, or the CRM is down)."""
    journeys = await kernel.queries.ask(ListCustomerJourneys(customer_id=_checked(customer_id)))
    if not journeys:
        raise not_found("customer")
    erased = await kernel.storage.read_stream(erasure_stream(customer_id), limit=1)
    profile: dict[str, Any] = {
        "customer_id": customer_id,
        "journeys": journeys,
        "erased": bool(erased),
        "erased_at": orjson.loads(erased[0].data).get("erased_at") if erased else None,
        "crm": None,
        "crm_status": "unknown",
    }
    if erased:
        profile["crm_status"] = "erased"
        return profile
    platform = platform_of(request)
    submitted = await _submitted(kernel, journeys[-1]["application_id"])
    if platform is None or submitted is None or submitted.national_id is None:
        return profile
    try:
        lookup = await platform.query_side.crm.lookup(submitted.country, submitted.national_id)
    except ProviderUnavailable:
        profile["crm_status"] = "unavailable"
        return profile
    profile["crm_status"] = "found" if lookup.customer is not None else "not_a_customer"
    profile["crm"] = None if lookup.customer is None else lookup.customer.model_dump(mode="json")
    return profile


async def _submitted(kernel: KernelDep, application_id: str) -> ApplicationSubmitted | None:
    first = await kernel.storage.read_stream(Application.stream_id_for(application_id), limit=1)
    if not first:
        return None
    event = (await kernel.codec.decode(first[0])).event
    return event if isinstance(event, ApplicationSubmitted) else None


@router.delete(
    "/customers/{customer_id}/personal-data",
    status_code=202,
    responses={202: {"model": CommandAccepted}},
    response_class=JSONResponse,
)
async def erase_customer(
    customer_id: str, request: Request, principal: Operator, kernel: KernelDep
) -> JSONResponse:
    """Erase the customer's personal data (crypto-shredding: their key is destroyed, a proof
    is recorded). Everything else replays; their fields read as null from then on. Repeating
    it answers 202 again (`erased: false` when it had been done before)."""
    journeys = await kernel.queries.ask(ListCustomerJourneys(customer_id=_checked(customer_id)))
    if not journeys:
        raise not_found("customer")
    context = MessageContext.root(
        correlation_id=getattr(request.state, "correlation_id", None), actor=principal.actor
    )
    with handling(context):
        erased_now = await erase_subject(
            customer_id,
            reason="erasure requested through the API",
            keys=kernel.keys,
            storage=kernel.storage,
            codec=kernel.codec,
            clock=kernel.clock,
        )
    platform = platform_of(request)
    if platform is not None:  # the query side's caches hold their personal data in clear
        await platform.query_side.forget_subject(customer_id)
    proof = await kernel.storage.read_stream(erasure_stream(customer_id), limit=1)
    position = proof[0].position if proof else await kernel.storage.last_position()
    location = f"/customers/{customer_id}"
    return JSONResponse(
        {"location": location, "position": position, "result": {"erased": erased_now}},
        status_code=202,
        headers={"Location": location},
    )
