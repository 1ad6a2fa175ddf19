"""The prequalifier: all five outside systems at once, one decision, the answers as evidence."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from journey.catalog import Catalog, RiskTier, default_catalog
from journey.cqrs.clock import Clock, SystemClock
from journey.cqrs.ids import new_id
from journey.query_side.cdp.model import Identity
from journey.query_side.cdp.service import CdpLookup, CdpService
from journey.query_side.citizen.service import CitizenValidator
from journey.query_side.credit.model import CreditCheck
from journey.query_side.credit.service import CreditRecordService
from journey.query_side.crm.service import CrmLookup, CrmLookupService
from journey.query_side.prequalification.checks import (
    judge_cdp,
    judge_citizen,
    judge_credit,
    judge_crm,
)
from journey.query_side.prequalification.model import (
    Applicant,
    CheckResult,
    Decision,
    Prequalification,
    PrequalificationRequest,
    ProductOffer,
    Service,
    Verdict,
)
from journey.query_side.resilience import ProviderRejected, ProviderUnavailable, coarse_timeout

CHECK_DEADLINE = 5.0  # seconds for any one outside system, retries included


class Screener(Protocol):
    """Restrictive-list screening as the prequalifier needs it (see `ScreeningCheck`)."""

    async def check(self, applicant: Applicant, *, keep_evidence: bool = True) -> CheckResult:
        """The verdict; the full answer in `CheckResult.answer` only when `keep_evidence`."""
        ...


@dataclass(slots=True)
class _Facts:
    """What the checks learn that the offer needs (filled in as the answers arrive)."""

    keep_evidence: bool
    tier: RiskTier | None = None
    credit_known: bool = False
    held: frozenset[str] = frozenset()
    preferred: tuple[str, ...] = ()


class EvidenceLog(Protocol):
    async def record(
        self, application_id: str, applicant: Applicant, checks: list[CheckResult]
    ) -> None:
        """Keep every outside answer of an application as an immutable event."""
        ...


class Prequalifier:
    def __init__(
        self,
        *,
        screening: Screener,
        citizen: CitizenValidator,
        crm: CrmLookupService,
        cdp: CdpService,
        credit: CreditRecordService,
        catalog: Catalog | None = None,
        clock: Clock | None = None,
        evidence: EvidenceLog | None = None,
        deadline: float = CHECK_DEADLINE,
    ) -> None:
        self._screening = screening
        self._citizen = citizen
        self._crm = crm
        self._cdp = cdp
        self._credit = credit
        self.catalog = catalog or default_catalog()
        self._clock = clock or SystemClock()
        self._evidence = evidence
        self._deadline = deadline

    def with_evidence(self, evidence: EvidenceLog) -> Prequalifier:
        """The same prequalifier, recording its answers in `evidence`."""
        twin = copy.copy(self)
        twin._evidence = evidence
        return twin

    async def prequalify(
        self,
        request: PrequalificationRequest,
        *,
        sequential: bool = False,
        record_evidence: bool = True,
    ) -> Prequalification:
        """Ask every outside system (at once; `sequential` only to measure the difference).

        With an `application_id`, the answers are kept in the result's checks and, unless
        `record_evidence` is off (a caller recording them in its own commit), written to the
        evidence log."""
        started = time.perf_counter()
        product = self.catalog.product(request.product_code)  # UnknownProduct: bad input
        applicant = request.applicant
        request_id = request.request_id or new_id()
        transaction = request.application_id or request_id
        facts = _Facts(keep_evidence=request.application_id is not None)
        asks: dict[Service, Callable[[], Awaitable[CheckResult]]] = {
            "screening": lambda: self._screening.check(
                applicant, keep_evidence=facts.keep_evidence
            ),
            "citizen": lambda: self._citizen_check(applicant, facts),
            "crm": lambda: self._crm_check(applicant, product.code, facts),
            "cdp": lambda: self._cdp_check(applicant, facts),
            "credit": lambda: self._credit_check(
                applicant, transaction, request.bureau_consent, facts
            ),
        }
        checks = await self._ask_all(asks, sequential=sequential)
        offers = self._offers(facts)
        decision = _decide(checks, offers)
        eligible = any(offer.code == product.code for offer in offers)
        result = Prequalification(
            request_id=request_id,
            decision=decision,
            product_code=product.code,
            product_eligible=eligible and decision is Decision.ELIGIBLE,
            offers=offers if decision is Decision.ELIGIBLE else [],
            customer_reasons=_customer_reasons(checks, decision, eligible, product.code),
            risk_tier=facts.tier,
            checks=checks,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        if request.application_id is not None and self._evidence is not None and record_evidence:
            await self._evidence.record(request.application_id, applicant, checks)
            result = result.model_copy(update={"evidence_recorded": True})
        return result

    # -- the five checks ---------------------------------------------------------------------------
    async def _citizen_check(self, applicant: Applicant, facts: _Facts) -> CheckResult:
        started = time.perf_counter()
        validation = await self._citizen.validate(
            applicant.country,
            applicant.national_id,
            given_names=applicant.given_names,
            surnames=applicant.surnames,
        )
        verdict, reasons, customer = judge_citizen(applicant, validation, self._clock.now().date())
        return CheckResult(
            service="citizen",
            verdict=verdict,
            outcome=validation.registry_status if validation.id_valid else "INVALID_ID",
            reasons=reasons,
            customer_reason=customer,
            provider=validation.source,
            provider_version=None,
            from_cache=validation.from_cache,
            elapsed_ms=_ms(started),
            answer=validation.model_dump(mode="json") if facts.keep_evidence else {},
        )

    async def _crm_check(
        self, applicant: Applicant, product_code: str, facts: _Facts
    ) -> CheckResult:
        started = time.perf_counter()
        lookup: CrmLookup = await self._crm.lookup(applicant.country, applicant.national_id)
        verdict, reasons, customer = judge_crm(lookup, product_code)
        if lookup.customer is not None:
            facts.held = frozenset(p.code for p in lookup.customer.products if p.status == "active")
        return CheckResult(
            service="crm",
            verdict=verdict,
            outcome="CUSTOMER" if lookup.customer else "NOT_A_CUSTOMER",
            reasons=reasons,
            customer_reason=customer,
            provider=self._crm.crm.name,
            provider_version=None,
            from_cache=lookup.from_cache,
            elapsed_ms=_ms(started),
            answer=lookup.model_dump(mode="json") if facts.keep_evidence else {},
        )

    async def _cdp_check(self, applicant: Applicant, facts: _Facts) -> CheckResult:
        started = time.perf_counter()
        identities = [
            Identity(namespace=namespace, value=value)
            for namespace, value in (
                ("email", applicant.email),
                ("phone", applicant.phone),
                ("device", applicant.device_id),
            )
            if value
        ]
        lookup: CdpLookup = await self._cdp.profile(
            applicant.country, applicant.national_id, identities
        )
        verdict, reasons, customer = judge_cdp(lookup)
        if lookup.profile is not None:
            facts.preferred = tuple(lookup.profile.offer.products)
        return CheckResult(
            service="cdp",
            verdict=verdict,
            outcome="PROFILE" if lookup.profile else "NO_PROFILE",
            reasons=reasons,
            customer_reason=customer,
            provider=self._cdp.cdp.name,
            provider_version=None,
            from_cache=lookup.from_cache,
            elapsed_ms=_ms(started),
            answer=lookup.model_dump(mode="json") if facts.keep_evidence else {},
        )

    async def _credit_check(
        self, applicant: Applicant, transaction: str, consented: bool, facts: _Facts
    ) -> CheckResult:
        started = time.perf_counter()
        check: CreditCheck = await self._credit.check(
            applicant.country,
            applicant.national_id,
            transaction_id=transaction,
            consented=consented,
        )
        verdict, reasons, customer = judge_credit(check)
        report = check.report
        facts.credit_known = check.outcome in ("REPORT", "REUSED")
        facts.tier = report.risk_tier if report is not None else None
        return CheckResult(
            service="credit",
            verdict=verdict,
            outcome="UNAVAILABLE" if check.outcome == "BUREAU_UNAVAILABLE" else check.outcome,
            reasons=reasons,
            customer_reason=customer,
            provider=report.bureau if report else ",".join(check.bureaus_tried) or "none",
            provider_version=report.score.model if report and report.score else None,
            from_cache=check.outcome == "REUSED",
            elapsed_ms=_ms(started),
            answer=check.model_dump(mode="json") if facts.keep_evidence else {},
        )

    async def _ask_all(
        self, asks: dict[Service, Callable[[], Awaitable[CheckResult]]], *, sequential: bool
    ) -> list[CheckResult]:
        """Every check under one deadline; one that cannot answer (or answer in time) refers."""
        started = time.perf_counter()
        if sequential:
            return [await self._safe(service, ask, started) for service, ask in asks.items()]
        # The last check to answer wakes this coroutine itself. Waiting on the tasks instead
        # (asyncio.wait, gather) costs one more turn of the event loop: their done-callbacks run
        # a turn after they finish, and only then wake the waiter; under load each turn is
        # everyone's pending work, so that turn was milliseconds of every answer's latency.
        answers: dict[Service, CheckResult] = {}
        all_answered = asyncio.get_running_loop().create_future()

        async def ask_one(service: Service, ask: Callable[[], Awaitable[CheckResult]]) -> None:
            try:
                answers[service] = await self._safe(service, ask, started)
            except Exception as error:  # a bug, not an outside system failing: raise it here
                if not all_answered.done():
                    all_answered.set_exception(error)
                return
            if len(answers) == len(asks) and not all_answered.done():
                all_answered.set_result(None)

        tasks = [asyncio.ensure_future(ask_one(service, ask)) for service, ask in asks.items()]
        try:
            async with coarse_timeout(self._deadline):
                await all_answered
        except TimeoutError:
            pass  # the checks still out refer, below
        finally:  # past the deadline, or cancelled from outside: stop asking
            for task in tasks:
                task.cancel()
        return [
            answers.get(service)
            or _unavailable(service, f"no answer within {self._deadline:g} s", started)
            for service in asks
        ]

    @staticmethod
    async def _safe(
        service: Service, ask: Callable[[], Awaitable[CheckResult]], started: float
    ) -> CheckResult:
        try:
            return await ask()
        except (ProviderUnavailable, ProviderRejected) as error:
            return _unavailable(service, error.reason, started, provider=error.service)

    # -- deciding ----------------------------------------------------------------------------------
    def _offers(self, facts: _Facts) -> list[ProductOffer]:
        if not facts.credit_known:
            return []
        tier, preferred = facts.tier, facts.preferred
        eligible = [
            product
            for product in self.catalog.products
            if product.allows(tier) and product.code not in facts.held
        ]
        eligible.sort(key=lambda p: preferred.index(p.code) if p.code in preferred else 99)
        return [
            ProductOffer(
                code=product.code,
                name=product.name,
                credit_limit=product.limit_for(tier),
                annual_fee=product.annual_fee,
                designs=list(product.designs),
            )
            for product in eligible
        ]


def _decide(checks: list[CheckResult], offers: list[ProductOffer]) -> Decision:
    verdicts = {check.verdict for check in checks}
    if Verdict.FAIL in verdicts:
        return Decision.NOT_ELIGIBLE
    if Verdict.REFER in verdicts:
        return Decision.REFER
    return Decision.ELIGIBLE if offers else Decision.NOT_ELIGIBLE


def _customer_reasons(
    checks: list[CheckResult], decision: Decision, eligible: bool, product_code: str
) -> list[str]:
    reasons = list(
        dict.fromkeys(
            check.customer_reason
            for check in checks
            if check.customer_reason and check.verdict is not Verdict.PASS
        )
    )
    if decision is Decision.ELIGIBLE and not eligible:
        reasons.append(f"{product_code} is not available to you; see the other offers")
    if decision is Decision.NOT_ELIGIBLE and not reasons:
        reasons.append("no product fits your profile at the moment")
    return reasons


def _unavailable(
    service: Service, reason: str, started: float, *, provider: str | None = None
) -> CheckResult:
    return CheckResult(
        service=service,
        verdict=Verdict.REFER,
        outcome="UNAVAILABLE",
        reasons=[f"{service} could not be asked: {reason}"],
        customer_reason="we need a little more time to review your application",
        provider=provider or service,
        elapsed_ms=_ms(started),
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
