"""Applications: apply, follow the journey, read and accept the offer, withdraw; the analysts'
review queue and referral decisions."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from journey.catalog import UnknownProduct, default_catalog
from journey.command_side.issuance.agreements import agreement
from journey.command_side.issuance.application import Application
from journey.command_side.issuance.commands import (
    AcceptAgreement,
    DecideReferral,
    SubmitApplication,
    WithdrawApplication,
)
from journey.command_side.issuance.events import (
    AgreementAccepted,
    ConsentGiven,
    OfferExpired,
    OfferMade,
    PostalAddress,
)
from journey.cqrs.errors import NotFound
from journey.cqrs.ids import new_id
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import (
    CommandAccepted,
    IdempotencyKey,
    KernelDep,
    application_for,
    checked_id,
    consistent,
    owner_of_stream,
    scoped_key,
    send_command,
    visible,
)
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, ApiProblem, not_found
from journey.entrypoints.api.schemas import (
    AcceptanceIn,
    ApplicationIn,
    ReferralDecisionIn,
    WithdrawalIn,
)
from journey.onboarding.queries import (
    GetJourney,
    ListCustomerJourneys,
    ListJourneys,
    ListReviewQueue,
)
from journey.onboarding.read_models import JOURNEYS
from journey.query_side.evidence import evidence_stream
from journey.query_side.subjects import subject_key

JOURNEY_STATUS = "journey_status"
REVIEW_QUEUE = "review_queue"
ACCEPTED_202: dict[int | str, dict[str, Any]] = {202: {"model": CommandAccepted}}
# Evidence fields shown to staff: the outside answer itself is personal data and stays out.
EVIDENCE_FIELDS = (
    "service",
    "provider",
    "provider_version",
    "outcome",
    "verdict",
    "reasons",
    "answered_at",
    "from_cache",
)

router = APIRouter(tags=["applications"], responses=PROBLEM_RESPONSES)

Applicant = Annotated[Principal, Depends(allow("customer", "service"))]
Follower = Annotated[Principal, Depends(allow("customer", "operator", "analyst", "service"))]
OwnerOrOperator = Annotated[Principal, Depends(allow("customer", "operator", "service"))]
Analyst = Annotated[Principal, Depends(allow("analyst"))]
Reviewer = Annotated[Principal, Depends(allow("analyst", "operator"))]


@router.post("/applications", status_code=202, responses=ACCEPTED_202, response_class=JSONResponse)
async def submit_application(
    body: ApplicationIn,
    request: Request,
    principal: Applicant,
    kernel: KernelDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Apply for a product. A customer applies only with their own national id (the token's
    subject is `subject_key(country, national_id)`). 202 with `Location: /applications/{id}`."""
    customer_id = subject_key(body.country, body.national_id)
    if not principal.has("service") and customer_id != principal.subject:
        raise ApiProblem(
            403,
            "Forbidden",
            "a customer applies with their own national id only",
            kind="forbidden",
        )
    _check_catalog(body.product_code, body.design_code)
    application_id = body.application_id or _new_application_id(principal, idempotency_key)
    # Only an id the client chose can be someone else's: ours are fresh, or derived from this
    # caller's own idempotency key, so for them the store is not asked.
    if body.application_id is not None:
        owner = await owner_of_stream(kernel, Application.stream_id_for(application_id))
        if owner is not None and owner != customer_id:
            raise ApiProblem(
                409,
                "Application id taken",
                "this application_id is already in use; choose another or leave it out",
                kind="application-id-taken",
            )
    command = SubmitApplication(
        application_id=application_id,
        customer_id=customer_id,
        country=body.country,
        national_id=body.national_id,
        given_names=body.given_names,
        surnames=list(body.surnames),
        birth_date=body.birth_date,
        email=body.email,
        phone=body.phone,
        address=PostalAddress(**body.address.model_dump()),
        product_code=body.product_code,
        design_code=body.design_code,
        channel=body.channel,
        consents=[ConsentGiven(**consent.model_dump()) for consent in body.consents],
    )
    return await send_command(
        request,
        principal,
        command,
        location=f"/applications/{application_id}",
        idempotency_key=idempotency_key,
        extra={"application_id": application_id},
    )


def _new_application_id(principal: Principal, idempotency_key: str | None) -> str:
    # With a key, the id is derived from it: a retry sends the very same command (and so gets
    # the first answer back) instead of a second application under a fresh id.
    scoped = scoped_key(principal, idempotency_key)
    if scoped is None:
        return f"app-{new_id()}"
    return "app-" + hashlib.sha256(scoped.encode()).hexdigest()[:32]


def _check_catalog(product_code: str, design_code: str) -> None:
    try:
        product = default_catalog().product(product_code)
    except UnknownProduct:
        raise _invalid("product_code", "no such product in the catalog") from None
    if design_code not in product.designs:
        offered = ", ".join(product.designs)
        raise _invalid("design_code", f"the product offers the designs {offered}")


def _invalid(field: str, message: str) -> ApiProblem:
    return ApiProblem(
        422,
        "Invalid request",
        f"1 field(s) are not valid: {field}",
        kind="validation",
        errors=[{"field": field, "in": "body", "message": message, "type": "value_error"}],
    )


@router.get("/applications", dependencies=[Depends(consistent(JOURNEY_STATUS))])
async def list_applications(
    principal: Follower,
    kernel: KernelDep,
    status: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    stuck: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Journeys, newest first: a customer's own, or (staff) everyone's, filtered by `status`
    and `stuck`. `{"items", "total", "limit", "offset"}`."""
    if principal.is_staff:
        items = await kernel.queries.ask(
            ListJourneys(status=status, stuck_only=stuck, limit=limit, offset=offset)
        )
        total = await _count(kernel, status, stuck)
        return {"items": items, "total": total, "limit": limit, "offset": offset}
    mine = await kernel.queries.ask(ListCustomerJourneys(customer_id=principal.subject))
    mine = [
        row
        for row in reversed(mine)  # newest first, like the staff's list
        if (status is None or row.get("status") == status) and (not stuck or row.get("stuck"))
    ]
    return {
        "items": mine[offset : offset + limit],
        "total": len(mine),
        "limit": limit,
        "offset": offset,
    }


async def _count(kernel: KernelDep, status: str | None, stuck: bool) -> int:
    where = {"status": status} if status is not None else None
    if not stuck:
        return await kernel.storage.count_documents(JOURNEYS, where=where)
    rows = await kernel.storage.find_documents(JOURNEYS, where=where, limit=100_000)
    return sum(1 for row in rows if row.get("stuck"))


@router.get("/applications/{application_id}", dependencies=[Depends(consistent(JOURNEY_STATUS))])
async def get_application(
    application_id: str, principal: Follower, kernel: KernelDep
) -> dict[str, Any]:
    """The journey: status, timeline, card, tracking number, stuck flag; for staff also the
    evidence (which outside system answered what, without the personal answer)."""
    checked_id(application_id, "application")
    try:
        journey = await kernel.queries.ask(GetJourney(application_id=application_id))
    except NotFound:
        journey = None
    if not visible(journey, principal):
        raise not_found("application")
    assert journey is not None
    if principal.has("operator", "analyst"):
        journey["evidence"] = await _evidence(kernel, application_id)
    return journey


async def _evidence(kernel: KernelDep, application_id: str) -> list[dict[str, Any]]:
    records = await kernel.storage.read_stream(evidence_stream(application_id))
    evidence = []
    for record in records:
        data = orjson.loads(record.data)
        evidence.append({name: data.get(name) for name in EVIDENCE_FIELDS})
    return evidence


@router.get("/applications/{application_id}/offer")
async def get_offer(application_id: str, principal: Follower, kernel: KernelDep) -> dict[str, Any]:
    """The offer with the exact agreement text to accept (`text_version`, `text_hash`). Read
    from the application itself, so it is there the moment the offer is made."""
    await application_for(kernel, principal, application_id)
    wanted = {OfferMade.event_type, AgreementAccepted.event_type, OfferExpired.event_type}
    records = await kernel.storage.read_stream(Application.stream_id_for(application_id))
    offer: OfferMade | None = None
    status = "offered"
    for record in records:
        if record.event_type not in wanted:
            continue  # the application's personal data is never decoded here
        event = (await kernel.codec.decode(record)).event
        if isinstance(event, OfferMade):
            offer, status = event, "offered"
        elif isinstance(event, AgreementAccepted):
            status = "accepted"
        elif isinstance(event, OfferExpired):
            status = "expired"
    if offer is None:
        raise ApiProblem(
            404, "No offer yet", "this application has no offer (yet)", kind="no-offer"
        )
    try:
        text: str | None = agreement(offer.agreement_text_version).text
    except LookupError:
        text = None
    return {
        "application_id": application_id,
        "status": status,
        "product_code": offer.product_code,
        "design_code": offer.design_code,
        "credit_limit": offer.credit_limit,
        "currency": offer.currency,  # of the limit and the fee, as offered
        "apr_bps": offer.apr_bps,
        "annual_fee": offer.annual_fee,
        "expires_at": offer.expires_at.isoformat(),
        "text_version": offer.agreement_text_version,
        "text_hash": offer.agreement_text_hash,
        "agreement_text": text,
    }


@router.post(
    "/applications/{application_id}/acceptance",
    status_code=202,
    responses=ACCEPTED_202,
    response_class=JSONResponse,
)
async def accept_agreement(
    application_id: str,
    body: AcceptanceIn,
    request: Request,
    principal: Annotated[Principal, Depends(allow("customer"))],
    kernel: KernelDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Accept the offered agreement: the exact text version and its SHA-256. Only the owner."""
    owner = await application_for(kernel, principal, application_id)
    if owner != principal.subject:
        raise not_found("application")
    return await send_command(
        request,
        principal,
        AcceptAgreement(
            application_id=application_id,
            text_version=body.text_version,
            text_hash=body.text_hash,
            channel=body.channel,
        ),
        location=f"/applications/{application_id}",
        idempotency_key=idempotency_key,
        result=lambda value: value,
    )


@router.post(
    "/applications/{application_id}/withdrawal",
    status_code=202,
    responses=ACCEPTED_202,
    response_class=JSONResponse,
)
async def withdraw_application(
    application_id: str,
    request: Request,
    principal: OwnerOrOperator,
    kernel: KernelDep,
    idempotency_key: IdempotencyKey = None,
    body: WithdrawalIn | None = None,
) -> JSONResponse:
    """Withdraw the application (the owner, or an operator on their behalf)."""
    await application_for(kernel, principal, application_id)
    reason = (body or WithdrawalIn()).reason or (
        "withdrawn by an operator for the customer"
        if principal.is_staff
        else "withdrawn by the customer"
    )
    return await send_command(
        request,
        principal,
        WithdrawApplication(application_id=application_id, reason=reason),
        location=f"/applications/{application_id}",
        idempotency_key=idempotency_key,
        result=lambda value: value,
    )


@router.post(
    "/applications/{application_id}/referral-decision",
    status_code=202,
    responses=ACCEPTED_202,
    response_class=JSONResponse,
    tags=["review"],
)
async def decide_referral(
    application_id: str,
    body: ReferralDecisionIn,
    request: Request,
    principal: Analyst,
    kernel: KernelDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """An analyst approves or declines a referred application (a possible list match too);
    the analyst recorded is the token's subject."""
    await application_for(kernel, principal, application_id)
    return await send_command(
        request,
        principal,
        DecideReferral(
            application_id=application_id,
            approve=body.approve,
            analyst=principal.subject[:100],
            reason=body.reason,
        ),
        location=f"/applications/{application_id}",
        idempotency_key=idempotency_key,
        result=lambda value: value,
    )


@router.get("/review-queue", tags=["review"], dependencies=[Depends(consistent(REVIEW_QUEUE))])
async def review_queue(
    principal: Reviewer,
    kernel: KernelDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Referred applications waiting for an analyst, oldest first (`possible_match` marks a
    possible restrictive-list match)."""
    return await kernel.queries.ask(ListReviewQueue(limit=limit))
