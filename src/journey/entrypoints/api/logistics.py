"""Plastics stock (levels, receipts) and shipments with their tracking history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from journey.catalog import default_catalog
from journey.command_side.logistics import SHIPMENTS, GetShipment, ListShipments
from journey.command_side.stock import (
    STOCK_LEVELS,
    GetStockLevel,
    ListStockLevels,
    ReceivePlastics,
)
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import (
    CommandAccepted,
    IdempotencyKey,
    KernelDep,
    checked_id,
    consistent,
    owner_of_stream,
    send_command,
)
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, not_found
from journey.entrypoints.api.schemas import ReceiptIn
from journey.onboarding.queries import ListCustomerJourneys

router = APIRouter(responses=PROBLEM_RESPONSES)
Operator = Annotated[Principal, Depends(allow("operator"))]
Follower = Annotated[Principal, Depends(allow("customer", "operator", "analyst", "service"))]


# -- stock ------------------------------------------------------------------------------------


@router.get("/stock", tags=["stock"], dependencies=[Depends(consistent(STOCK_LEVELS))])
async def stock_levels(
    principal: Operator, kernel: KernelDep, low: bool = False
) -> list[dict[str, Any]]:
    """Every design's counts (on hand, reserved, available, consumed, spoiled), reorder point
    and low flag; `?low=true` for those at or below their reorder point."""
    levels = await kernel.queries.ask(ListStockLevels(low_only=low))
    return [level.model_dump() for level in levels]


@router.get(
    "/stock/{design_code}", tags=["stock"], dependencies=[Depends(consistent(STOCK_LEVELS))]
)
async def stock_level(design_code: str, principal: Operator, kernel: KernelDep) -> dict[str, Any]:
    """One design's stock."""
    level = await kernel.queries.ask(GetStockLevel(design_code=checked_id(design_code, "design")))
    if level is None:
        raise not_found("stock for this design")
    return level.model_dump()


@router.post(
    "/stock/{design_code}/receipts",
    tags=["stock"],
    status_code=202,
    responses={202: {"model": CommandAccepted}},
    response_class=JSONResponse,
)
async def receive_plastics(
    design_code: str,
    body: ReceiptIn,
    request: Request,
    principal: Operator,
    kernel: KernelDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A delivery of blank plastics for a design of the catalog (idempotent for `batch_ref`)."""
    if design_code not in {design.code for design in default_catalog().designs}:
        raise not_found("design")
    return await send_command(
        request,
        principal,
        ReceivePlastics(design_code=design_code, quantity=body.quantity, batch_ref=body.batch_ref),
        location=f"/stock/{design_code}",
        idempotency_key=idempotency_key,
        result=lambda value: value,
    )


# -- shipments --------------------------------------------------------------------------------


@router.get("/shipments", tags=["shipments"], dependencies=[Depends(consistent(SHIPMENTS))])
async def list_shipments(
    principal: Follower,
    kernel: KernelDep,
    application_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Shipments, newest first, each with its tracking history. Staff see all (`?status=`,
    `?application_id=`); a customer sees those of their own applications."""
    if application_id is not None:
        checked_id(application_id, "application")
    if principal.has("operator", "service"):
        found = await kernel.queries.ask(
            ListShipments(application_id=application_id, status=status, limit=limit)
        )
        return [view.model_dump() for view in found]
    if not principal.has("customer"):
        return []  # analysts follow applications, not parcels
    mine = [
        row["application_id"]
        for row in await kernel.queries.ask(ListCustomerJourneys(customer_id=principal.subject))
    ]
    if application_id is not None:
        if application_id not in mine:
            raise not_found("application")
        mine = [application_id]
    shipments: list[dict[str, Any]] = []
    for owned in mine:
        found = await kernel.queries.ask(
            ListShipments(application_id=owned, status=status, limit=limit)
        )
        shipments.extend(view.model_dump() for view in found)
    shipments.sort(key=lambda view: view["created_at"], reverse=True)
    return shipments[:limit]


@router.get(
    "/shipments/{shipment_id}", tags=["shipments"], dependencies=[Depends(consistent(SHIPMENTS))]
)
async def get_shipment(shipment_id: str, principal: Follower, kernel: KernelDep) -> dict[str, Any]:
    """A shipment and its tracking history (its owner, or staff)."""
    view = await kernel.queries.ask(GetShipment(shipment_id=checked_id(shipment_id, "shipment")))
    if view is None:
        raise not_found("shipment")
    if not principal.has("operator", "service"):
        owner = await owner_of_stream(kernel, f"application-{view.application_id}")
        if not principal.has("customer") or owner != principal.subject:
            raise not_found("shipment")
    return view.model_dump()
