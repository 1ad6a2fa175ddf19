"""Building the query side over the simulators for tests."""

from __future__ import annotations

import time

from journey.cqrs.clock import Clock, ManualClock
from journey.cqrs.retry import RetryPolicy
from journey.query_side.cdp.service import CdpService
from journey.query_side.citizen.service import CitizenValidator
from journey.query_side.credit.service import CreditRecordService
from journey.query_side.crm.service import CrmLookupService
from journey.query_side.population import Person, default_population
from journey.query_side.prequalification.model import Applicant, CheckResult, Verdict
from journey.query_side.prequalification.service import (
    CHECK_DEADLINE,
    EvidenceLog,
    Prequalifier,
)
from journey.query_side.resilience import Guard, GuardSettings
from journey.query_side.simulators import Simulators


class SetScreener:
    """A screener answering from a fixed set of flagged ids (the real engine is tested apart)."""

    def __init__(self, hits: set[str] | None = None, possible: set[str] | None = None) -> None:
        self.hits = hits or set()
        self.possible = possible or set()

    async def check(self, applicant: Applicant, *, keep_evidence: bool = True) -> CheckResult:
        if applicant.national_id in self.hits:
            verdict, outcome = Verdict.FAIL, "HIT"
        elif applicant.national_id in self.possible:
            verdict, outcome = Verdict.REFER, "POSSIBLE_MATCH"
        else:
            verdict, outcome = Verdict.PASS, "CLEAR"
        started = time.perf_counter()
        return CheckResult(
            service="screening",
            verdict=verdict,
            outcome=outcome,
            reasons=[] if verdict is Verdict.PASS else [f"list match: {outcome}"],
            customer_reason=None
            if verdict is Verdict.PASS
            else "we cannot offer this product at the moment",
            provider="set-screener",
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )


def quick(name: str) -> Guard:
    return Guard(
        name,
        GuardSettings(timeout=1, retry=RetryPolicy(max_attempts=2, initial_delay=0, jitter=0)),
    )


def prequalifier(
    simulators: Simulators | None = None,
    *,
    screener: SetScreener | None = None,
    clock: Clock | None = None,
    evidence: EvidenceLog | None = None,
    deadline: float = CHECK_DEADLINE,
) -> tuple[Prequalifier, Simulators]:
    clock = clock or ManualClock()
    sims = simulators or Simulators.build(clock=clock)
    bureaus = list(sims.bureaus)
    return (
        Prequalifier(
            screening=screener or SetScreener(),
            citizen=CitizenValidator(sims.registry, guard=quick("registry"), clock=clock),
            crm=CrmLookupService(sims.crm, guard=quick("crm")),
            cdp=CdpService(sims.cdp, guard=quick("cdp")),
            credit=CreditRecordService(
                bureaus, guards={b.name: quick(b.name) for b in bureaus}, clock=clock
            ),
            clock=clock,
            evidence=evidence,
            deadline=deadline,
        ),
        sims,
    )


def applicant_for(person: Person, **changes: object) -> Applicant:
    data: dict[str, object] = {
        "country": person.country,
        "national_id": person.national_id,
        "given_names": person.given_names,
        "surnames": list(person.surnames),
        "birth_date": person.birth_date,
        "email": person.email,
        "phone": person.phone,
        "device_id": person.device_id,
    }
    data.update(changes)
    return Applicant.model_validate(data)


POPULATION = default_population()
