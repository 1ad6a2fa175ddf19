"""The catalog (anyone may read it) and instant prequalification (which products may this
applicant have, and why)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from journey.catalog import default_catalog
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import KernelDep
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, ApiProblem
from journey.entrypoints.api.schemas import PrequalificationIn
from journey.query_side.assembly import GetPrequalification
from journey.query_side.prequalification.model import PrequalificationRequest
from journey.query_side.subjects import subject_key

router = APIRouter(tags=["products"])

# What staff see of each outside check: the verdict and why, never the answer itself.
CHECK_FIELDS = {"service", "verdict", "outcome", "reasons", "provider", "from_cache", "elapsed_ms"}


@router.get("/products")
async def list_products() -> dict[str, Any]:
    """The card products with their designs, annual fee, limits and minimum risk tier; every
    amount is in `currency` (ISO 4217)."""
    catalog = default_catalog()
    designs = {design.code: design.model_dump() for design in catalog.designs}
    return {
        "currency": catalog.currency,
        "products": [
            {
                **product.model_dump(exclude={"designs"}),
                "designs": [designs[code] for code in product.designs],
            }
            for product in catalog.products
        ],
        "designs": list(designs.values()),
    }


@router.post("/prequalifications", responses=PROBLEM_RESPONSES)
async def prequalify(
    body: PrequalificationIn,
    principal: Annotated[Principal, Depends(allow("customer", "operator", "service"))],
    kernel: KernelDep,
) -> dict[str, Any]:
    """Ask every outside system at once: the decision, the offers and the reasons the
    applicant may be told. A customer asks about themselves only; staff also see each check's
    verdict and reasons."""
    applicant = body.applicant
    if not principal.has("operator", "service") and principal.subject != subject_key(
        applicant.country, applicant.national_id
    ):
        raise ApiProblem(
            403,
            "Forbidden",
            "a customer prequalifies with their own national id only",
            kind="forbidden",
        )
    default_catalog().product(body.product_code)  # an unknown product is a 422, not a decline
    result = await kernel.queries.ask(
        GetPrequalification(
            request=PrequalificationRequest(
                applicant=applicant,
                product_code=body.product_code,
                bureau_consent=body.bureau_consent,
            )
        )
    )
    answer = result.for_customer()
    answer["currency"] = default_catalog().currency  # of the offers' limits and fees
    if principal.has("operator", "service"):
        answer["risk_tier"] = result.risk_tier
        answer["checks"] = [check.model_dump(include=CHECK_FIELDS) for check in result.checks]
    return answer
