"""`journey simulators serve`: every simulated outside system behind one HTTP server.

Lookups are POSTs with the identifiers in the body, so national ids never appear in URLs or
access logs. A simulated outage answers 503, like a real provider's. `/admin/knobs/{service}`
changes latency, error rate or takes a provider down while it runs (for demos and tests).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from journey.query_side.cdp.model import CdpProfile, Consent, Identity
from journey.query_side.citizen.model import RegistryRecord
from journey.query_side.credit.model import CreditReport
from journey.query_side.credit.port import CreditSubject
from journey.query_side.crm.model import CrmCustomer, CustomerUpsert
from journey.query_side.resilience import ProviderError
from journey.query_side.restrictive_lists.model import (
    Clearance,
    ClearanceRequest,
    ScreeningResult,
    ScreeningSubject,
)
from journey.query_side.restrictive_lists.port import ScreeningError
from journey.query_side.simulators import Simulators

T = TypeVar("T")


class IdLookup(BaseModel):
    model_config = ConfigDict(frozen=True)

    country: str = Field(min_length=2, max_length=2)
    national_id: str = Field(min_length=1, max_length=40)


class IdentitiesBody(BaseModel):
    identities: list[Identity] = Field(min_length=1)


class ConsentBody(BaseModel):
    identities: list[Identity] = Field(min_length=1)
    consent: Consent


class PullBody(BaseModel):
    subject: CreditSubject
    pull_id: str = Field(min_length=1, max_length=200)
    hard: bool = False


class KnobsBody(BaseModel):
    latency_ms: float | None = Field(None, ge=0)
    jitter_ms: float | None = Field(None, ge=0)
    error_rate: float | None = Field(None, ge=0, le=1)
    down: bool | None = None


def create_simulators_app(simulators: Simulators | None = None) -> FastAPI:
    sims = simulators or Simulators.build()
    app = FastAPI(
        title="Customer Journey simulated providers",
        description="Civil registry, CRM, CDP, credit bureaus and list screening over a "
        "synthetic population.",
    )
    app.state.simulators = sims

    @app.exception_handler(ProviderError)
    async def outage(request: Request, error: ProviderError) -> JSONResponse:
        return JSONResponse(
            {"title": "Provider unavailable", "status": 503, "detail": error.reason},
            status_code=503,
            media_type="application/problem+json",
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/registry/lookup", response_model=RegistryRecord)
    async def registry_lookup(body: IdLookup) -> Any:
        return await _found(sims.registry.lookup(body.country, body.national_id))

    @app.post("/crm/customers/lookup", response_model=CrmCustomer)
    async def crm_lookup(body: IdLookup) -> Any:
        return await _found(sims.crm.find_customer(body.country, body.national_id))

    @app.put("/crm/customers", response_model=CrmCustomer)
    async def crm_upsert(
        body: CustomerUpsert, idempotency_key: str = Header(min_length=1, max_length=200)
    ) -> CrmCustomer:
        return await sims.crm.upsert_customer(body, idempotency_key=idempotency_key)

    @app.post("/cdp/resolve", response_model=CdpProfile)
    async def cdp_resolve(body: IdentitiesBody) -> Any:
        return await _found(sims.cdp.resolve(body.identities))

    @app.post("/cdp/consents", response_model=CdpProfile)
    async def cdp_consent(body: ConsentBody) -> CdpProfile:
        return await sims.cdp.record_consent(body.identities, body.consent)

    @app.post("/bureaus/{bureau}/pulls", response_model=CreditReport)
    async def bureau_pull(bureau: str, body: PullBody) -> Any:
        try:
            target = sims.bureau(bureau)
        except LookupError:
            return _problem(404, "Unknown bureau", f"no bureau named {bureau!r}")
        return await target.pull(body.subject, pull_id=body.pull_id, hard=body.hard)

    @app.post("/screening/screen", response_model=ScreeningResult)
    async def screening_screen(body: ScreeningSubject) -> Any:
        return await sims.screening.screen(body)

    @app.post("/screening/clearances", response_model=Clearance)
    async def screening_clear(body: ClearanceRequest) -> Any:
        try:
            return await sims.screening.clear_false_positive(body)
        except ScreeningError as error:
            return _problem(409, "Cannot clear", str(error))

    @app.get("/screening/lists")
    async def screening_lists() -> dict[str, Any]:
        versions = await sims.screening.list_versions()
        return {"lists": [version.model_dump(mode="json") for version in versions]}

    @app.post("/admin/knobs/{service}")
    async def set_knobs(service: str, body: KnobsBody) -> Any:
        knobs = sims.knobs.get(service)
        if knobs is None:
            known = ", ".join(sorted(sims.knobs))
            return _problem(404, "Unknown service", f"no service {service!r} (known: {known})")
        if body.latency_ms is not None:
            knobs.latency = body.latency_ms / 1000
        if body.jitter_ms is not None:
            knobs.jitter = body.jitter_ms / 1000
        if body.error_rate is not None:
            knobs.error_rate = body.error_rate
        if body.down is not None:
            knobs.down = body.down
        return {
            "service": service,
            "latency_ms": knobs.latency * 1000,
            "jitter_ms": knobs.jitter * 1000,
            "error_rate": knobs.error_rate,
            "down": knobs.down,
        }

    return app


async def _found(answer: Awaitable[T | None]) -> T | JSONResponse:
    found = await answer
    if found is None:
        return _problem(404, "Not found", "no record for these identifiers")
    return found


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )
