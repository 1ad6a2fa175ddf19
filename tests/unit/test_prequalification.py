"""Prequalification: every outside system at once, a safe decision, evidence when asked."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from journey.catalog import UnknownProduct
from journey.cqrs.clock import ManualClock
from journey.cqrs.store.memory import MemoryStorage
from journey.query_side.evidence import KernelEvidenceLog, evidence_stream
from journey.query_side.prequalification.model import (
    Applicant,
    CheckResult,
    Decision,
    PrequalificationRequest,
)
from tests.support.kernel import kernel_on
from tests.support.query_side import POPULATION, SetScreener, applicant_for, prequalifier

CLOCK = datetime(2026, 6, 1, tzinfo=UTC)


def request(
    applicant: Applicant, product: str = "CLASSIC", **extra: object
) -> PrequalificationRequest:
    return PrequalificationRequest.model_validate(
        {"applicant": applicant, "product_code": product, "bureau_consent": True, **extra}
    )


def good_person() -> object:
    return POPULATION.sample(
        registry_status="VALID",
        existing_customer=False,
        thin=False,
        score_above=720,
        pep=False,
        namesake=False,
    )


async def test_a_good_applicant_is_eligible_with_offers_and_limits() -> None:
    service, _ = prequalifier(clock=ManualClock(CLOCK))
    result = await service.prequalify(request(applicant_for(good_person())))  # type: ignore[arg-type]
    assert result.decision is Decision.ELIGIBLE
    assert result.product_eligible
    assert result.risk_tier in ("A", "B")
    assert {offer.code for offer in result.offers} >= {"CLASSIC", "GOLD"}
    assert all(offer.credit_limit > 0 for offer in result.offers)
    assert [check.service for check in result.checks] == [
        "screening", "citizen", "crm", "cdp", "credit",
    ]  # fmt: skip


async def test_a_deceased_person_is_not_eligible() -> None:
    person = POPULATION.sample(registry_status="DECEASED")
    service, _ = prequalifier(clock=ManualClock(CLOCK))
    result = await service.prequalify(request(applicant_for(person)))
    assert result.decision is Decision.NOT_ELIGIBLE
    assert result.offers == []
    assert "we could not verify your identity" in result.customer_reasons


async def test_with_every_bureau_down_the_applicant_is_referred_never_declined() -> None:
    service, sims = prequalifier(clock=ManualClock(CLOCK))
    for bureau in sims.bureaus:
        bureau.knobs.down = True
    result = await service.prequalify(request(applicant_for(good_person())))  # type: ignore[arg-type]
    assert result.decision is Decision.REFER
    credit = next(c for c in result.checks if c.service == "credit")
    assert credit.outcome == "UNAVAILABLE"


async def test_any_outside_system_down_refers_and_never_passes() -> None:
    for down in ("registry", "crm"):
        service, sims = prequalifier(clock=ManualClock(CLOCK))
        sims.knobs[down].down = True
        result = await service.prequalify(request(applicant_for(good_person())))  # type: ignore[arg-type]
        assert result.decision is Decision.REFER, down


class SilentScreener(SetScreener):
    """A screening provider that never answers (until it is cancelled)."""

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = False

    async def check(self, applicant: Applicant, *, keep_evidence: bool = True) -> CheckResult:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        raise AssertionError("an event nobody sets was set")


async def test_a_check_that_misses_the_deadline_refers_and_is_no_longer_waited_for() -> None:
    screener = SilentScreener()
    service, _ = prequalifier(screener=screener, clock=ManualClock(CLOCK), deadline=0.05)
    result = await service.prequalify(request(applicant_for(good_person())))  # type: ignore[arg-type]
    assert result.decision is Decision.REFER
    screening = next(c for c in result.checks if c.service == "screening")
    assert screening.outcome == "UNAVAILABLE"
    assert screening.reasons == ["screening could not be asked: no answer within 0.05 s"]
    assert {c.service: c.outcome for c in result.checks if c.service != "screening"} == {
        "citizen": "VALID", "crm": "NOT_A_CUSTOMER", "cdp": "PROFILE", "credit": "REPORT",
    }  # fmt: skip
    await asyncio.sleep(0)  # the cancellation reaches the silent provider on the next turn
    assert screener.cancelled


async def test_a_prequalification_cancelled_from_outside_stops_asking() -> None:
    screener = SilentScreener()
    service, _ = prequalifier(screener=screener, clock=ManualClock(CLOCK))
    asking = asyncio.ensure_future(service.prequalify(request(applicant_for(good_person()))))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    asking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asking
    await asyncio.sleep(0)
    assert screener.cancelled


class BrokenScreener(SetScreener):
    async def check(self, applicant: Applicant, *, keep_evidence: bool = True) -> CheckResult:
        raise RuntimeError("a bug in the screening adapter")


async def test_a_check_that_breaks_raises_at_once_instead_of_waiting_for_the_deadline() -> None:
    service, _ = prequalifier(screener=BrokenScreener(), clock=ManualClock(CLOCK), deadline=3600)
    with pytest.raises(RuntimeError, match="a bug in the screening adapter"):
        await service.prequalify(request(applicant_for(good_person())))  # type: ignore[arg-type]


async def test_the_cdp_down_falls_back_to_the_default_offer() -> None:
    service, sims = prequalifier(clock=ManualClock(CLOCK))
    sims.knobs["cdp"].down = True
    result = await service.prequalify(request(applicant_for(good_person())))  # type: ignore[arg-type]
    assert result.decision is Decision.REFER  # the CDP is still an outside answer we lack
    cdp = next(c for c in result.checks if c.service == "cdp")
    assert cdp.outcome == "UNAVAILABLE"


async def test_a_sanctions_hit_declines_without_telling_the_applicant_why() -> None:
    person = good_person()
    screener = SetScreener(hits={person.national_id})  # type: ignore[attr-defined]
    service, _ = prequalifier(screener=screener, clock=ManualClock(CLOCK))
    result = await service.prequalify(request(applicant_for(person)))  # type: ignore[arg-type]
    assert result.decision is Decision.NOT_ELIGIBLE
    told = " ".join(result.customer_reasons).lower()
    for word in ("sanction", "list", "ofac", "pep", "screen"):
        assert word not in told
    assert "list match" in " ".join(result.checks[0].reasons)


async def test_a_possible_list_match_waits_for_an_analyst() -> None:
    person = good_person()
    screener = SetScreener(possible={person.national_id})  # type: ignore[attr-defined]
    service, _ = prequalifier(screener=screener, clock=ManualClock(CLOCK))
    result = await service.prequalify(request(applicant_for(person)))  # type: ignore[arg-type]
    assert result.decision is Decision.REFER


async def test_a_minor_is_not_eligible() -> None:
    person = good_person()
    service, _ = prequalifier(clock=ManualClock(CLOCK))
    minor = applicant_for(person, birth_date=date(2012, 1, 1))  # type: ignore[arg-type]
    result = await service.prequalify(request(minor))
    assert result.decision is Decision.NOT_ELIGIBLE
    assert "you must be 18 or older" in result.customer_reasons


async def test_without_bureau_consent_the_applicant_is_asked_for_it() -> None:
    service, sims = prequalifier(clock=ManualClock(CLOCK))
    result = await service.prequalify(
        request(applicant_for(good_person()), bureau_consent=False)  # type: ignore[arg-type]
    )
    assert result.decision is Decision.REFER
    assert "authorize the credit check to go on" in result.customer_reasons
    assert all(bureau.billed == 0 for bureau in sims.bureaus)


async def test_a_newcomer_without_a_credit_file_is_offered_only_the_starter_card() -> None:
    person = POPULATION.sample(
        has_file=False, registry_status="VALID", existing_customer=False, pep=False
    )
    service, _ = prequalifier(clock=ManualClock(CLOCK))
    result = await service.prequalify(request(applicant_for(person), product="GOLD"))
    assert result.decision is Decision.ELIGIBLE
    assert [offer.code for offer in result.offers] == ["SECURED"]
    assert not result.product_eligible
    assert any("GOLD is not available" in reason for reason in result.customer_reasons)


async def test_a_product_the_customer_already_holds_is_not_offered_again() -> None:
    person = POPULATION.sample(
        existing_customer=True, registry_status="VALID", thin=False, score_above=720
    )
    service, sims = prequalifier(clock=ManualClock(CLOCK))
    held = await sims.crm.find_customer(person.country, person.national_id)
    assert held is not None
    code = held.products[0].code
    result = await service.prequalify(request(applicant_for(person)))
    assert code not in [offer.code for offer in result.offers]


async def test_the_second_time_the_answers_come_from_caches_without_outside_calls() -> None:
    service, sims = prequalifier(clock=ManualClock(CLOCK))
    applicant = applicant_for(good_person())  # type: ignore[arg-type]
    await service.prequalify(request(applicant))
    calls = (sims.registry.calls, sims.crm.calls, sims.cdp.calls, sims.bureaus[0].billed)
    again = await service.prequalify(request(applicant))
    assert (sims.registry.calls, sims.crm.calls, sims.cdp.calls, sims.bureaus[0].billed) == calls
    assert next(c for c in again.checks if c.service == "credit").outcome == "REUSED"


async def test_an_application_keeps_every_answer_as_encrypted_evidence() -> None:
    storage = MemoryStorage()
    kernel = await kernel_on(storage, clock=ManualClock(CLOCK))
    from journey.query_side.evidence import EVIDENCE_EVENTS

    kernel.registry.register(*EVIDENCE_EVENTS)
    service, _ = prequalifier(
        clock=kernel.clock,
        evidence=KernelEvidenceLog(storage, kernel.codec, kernel.clock),
    )
    person = good_person()
    result = await service.prequalify(
        request(applicant_for(person), application_id="app-42")  # type: ignore[arg-type]
    )
    assert result.evidence_recorded
    stored = await storage.read_stream(evidence_stream("app-42"))
    assert [s.event_type for s in stored] == ["journey.evidence.OutsideAnswerRecorded"] * 5
    assert person.national_id not in "".join(s.data for s in stored)  # type: ignore[attr-defined]
    decoded = [(await kernel.codec.decode(s)).event for s in stored]
    assert {e.service for e in decoded} == {"screening", "citizen", "crm", "cdp", "credit"}  # type: ignore[attr-defined]
    citizen = next(e for e in decoded if e.service == "citizen")  # type: ignore[attr-defined]
    assert citizen.answer["registry_status"] == "VALID"  # type: ignore[attr-defined]


async def test_an_unknown_product_or_a_malformed_applicant_is_refused_up_front() -> None:
    service, _ = prequalifier(clock=ManualClock(CLOCK))
    with pytest.raises(UnknownProduct, match="no product 'DIAMOND'"):
        await service.prequalify(request(applicant_for(good_person()), product="DIAMOND"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="country"):
        applicant_for(good_person(), country="US")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="birth date"):
        applicant_for(good_person(), birth_date=date(1850, 1, 1))  # type: ignore[arg-type]
    # Initials alone cannot be screened against the restrictive lists: refused here, not later.
    with pytest.raises(ValidationError, match="two letters"):
        applicant_for(good_person(), given_names="J.", surnames=["P"])  # type: ignore[arg-type]
