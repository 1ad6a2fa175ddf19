"""Building the query side from settings: simulators in-process, or real endpoints over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.clock import Clock
from journey.cqrs.messages import Query
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.port import Storage
from journey.query_side.cache import Cache, MemoryCache
from journey.query_side.cdp.port import CustomerDataPlatform
from journey.query_side.cdp.service import CdpService
from journey.query_side.citizen.port import CivilRegistry
from journey.query_side.citizen.service import CitizenValidator
from journey.query_side.credit.port import CreditBureau
from journey.query_side.credit.reports import StorageReportStore
from journey.query_side.credit.service import CreditRecordService
from journey.query_side.crm.port import CustomerCrm
from journey.query_side.crm.service import CrmLookupService
from journey.query_side.evidence import EVIDENCE_EVENTS, KernelEvidenceLog
from journey.query_side.http.clients import HttpBureau, HttpCdp, HttpCrm, HttpRegistry
from journey.query_side.prequalification.model import Prequalification, PrequalificationRequest
from journey.query_side.prequalification.service import Prequalifier
from journey.query_side.resilience import Guard, GuardSettings
from journey.query_side.restrictive_lists.port import RestrictiveListScreening
from journey.query_side.screening import DocumentClearanceStore, HttpScreening, ScreeningCheck
from journey.query_side.simulators import Simulators
from journey.query_side.subjects import subject_key
from journey.settings import Settings

BUREAUS = ("bureau-a", "bureau-b")  # primary first


class GetPrequalification(Query[Prequalification]):
    """Which products may this applicant have, and why (asks every outside system)."""

    request: PrequalificationRequest


@dataclass
class QuerySide:
    """The query side's services, and the outside systems they ask (simulated or over HTTP)."""

    citizen: CitizenValidator
    crm: CrmLookupService
    cdp: CdpService
    credit: CreditRecordService
    prequalifier: Prequalifier
    screening: ScreeningCheck
    simulators: Simulators | None
    http: httpx.AsyncClient | None

    async def forget(self, country: str, national_id: str) -> None:
        """Drop what the caches hold about a person the command side just changed (the CRM
        customer and the CDP profile with its consents), so the next lookup asks again."""
        subject = subject_key(country, national_id)
        await self.crm.forget_subject(subject)
        await self.cdp.forget_subject(subject)

    async def forget_subject(self, subject: str) -> None:
        """Drop every cached answer about `subject` (`subject_key`): registry record, CRM
        customer, CDP profile. Called on erasure: caches hold their personal data in clear."""
        await self.citizen.forget_subject(subject)
        await self.crm.forget_subject(subject)
        await self.cdp.forget_subject(subject)

    def crm_port(self) -> CustomerCrm:
        """The CRM itself (the command side writes the new customer to it)."""
        if self.simulators is not None:
            return self.simulators.crm
        assert self.http is not None
        return HttpCrm(self.http)

    def cdp_port(self) -> CustomerDataPlatform:
        """The customer data platform itself (the command side records consents in it)."""
        if self.simulators is not None:
            return self.simulators.cdp
        assert self.http is not None
        return HttpCdp(self.http)

    async def close(self) -> None:
        if self.http is not None:
            await self.http.aclose()


async def install_query_side(
    kernel: Kernel,
    settings: Settings,
    *,
    simulators: Simulators | None = None,
    cache: Cache | None = None,
) -> QuerySide:
    """Build the query side on a running kernel and plug it in (the query side alone)."""
    query_side = build_query_side(
        settings, storage=kernel.storage, clock=kernel.clock, simulators=simulators, cache=cache
    )
    attach_query_side(kernel, query_side)
    return query_side


def attach_query_side(kernel: Kernel, query_side: QuerySide) -> None:
    """Register the evidence events and answer `GetPrequalification`, recording its evidence.

    The query side is built before the kernel (the issuance module screens with it), so the
    evidence log, which needs the kernel's codec, is attached here."""
    kernel.registry.register(
        *(e for e in EVIDENCE_EVENTS if not kernel.registry.is_known(e.event_type))
    )
    recording = query_side.prequalifier.with_evidence(
        KernelEvidenceLog(kernel.storage, kernel.codec, kernel.clock)
    )

    async def get_prequalification(query: GetPrequalification, _: ReadModels) -> Any:
        return await recording.prequalify(query.request)

    kernel.queries.register(GetPrequalification, get_prequalification)


def build_query_side(
    settings: Settings,
    *,
    storage: Storage,
    clock: Clock,
    simulators: Simulators | None = None,
    cache: Cache | None = None,
) -> QuerySide:
    """The services, the simulators (when `providers` is "simulated") and a prequalifier that
    records no evidence itself (its callers record it in their own commits)."""
    cache = cache or MemoryCache()
    guard = GuardSettings(timeout=settings.provider_timeout)
    http: httpx.AsyncClient | None = None
    registry: CivilRegistry
    crm: CustomerCrm
    cdp: CustomerDataPlatform
    bureaus: list[CreditBureau]
    lists: RestrictiveListScreening
    if settings.providers == "simulated":
        simulators = simulators or Simulators.build(
            latency=settings.simulated_latency_ms / 1000,
            error_rate=settings.simulated_error_rate,
            clock=clock,
            clearances=DocumentClearanceStore(storage),
        )
        registry, crm, cdp = simulators.registry, simulators.crm, simulators.cdp
        bureaus = list(simulators.bureaus)
        lists = simulators.screening
    else:
        http = httpx.AsyncClient(
            base_url=settings.providers,
            timeout=settings.provider_timeout,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=100),
        )
        registry, crm, cdp = HttpRegistry(http), HttpCrm(http), HttpCdp(http)
        bureaus = [HttpBureau(http, name) for name in BUREAUS]
        lists = HttpScreening(http)
        simulators = None
    screening = ScreeningCheck(
        lists,
        provider=getattr(lists, "name", "screening"),
        guard=Guard("screening", guard),
        cache=cache,
    )
    citizen = CitizenValidator(registry, guard=Guard("registry", guard), cache=cache, clock=clock)
    crm_service = CrmLookupService(crm, guard=Guard("crm", guard), cache=cache)
    cdp_service = CdpService(cdp, guard=Guard("cdp", guard), cache=cache)
    credit = CreditRecordService(
        bureaus,
        reports=StorageReportStore(storage),
        guards={bureau.name: Guard(bureau.name, guard) for bureau in bureaus},
        clock=clock,
        fallback_on_no_hit=settings.credit_no_hit_fallback,
    )
    prequalifier = Prequalifier(
        screening=screening,
        citizen=citizen,
        crm=crm_service,
        cdp=cdp_service,
        credit=credit,
        clock=clock,
    )
    return QuerySide(
        citizen, crm_service, cdp_service, credit, prequalifier, screening, simulators, http
    )
