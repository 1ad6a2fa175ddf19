"""List screening inside prequalification: sanctions decline, PEPs go to an analyst, cleared
false positives stay cleared (durably), and the same answers come over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from journey.cqrs.store.sqlite import SqliteStorage
from journey.query_side.http.server import create_simulators_app
from journey.query_side.population import default_population
from journey.query_side.prequalification.model import (
    Applicant,
    Decision,
    PrequalificationRequest,
    Verdict,
)
from journey.query_side.resilience import ProviderRejected
from journey.query_side.restrictive_lists.model import (
    ClearanceRequest,
    Outcome,
    ScreeningSubject,
)
from journey.query_side.restrictive_lists.screening import ScreeningEngine
from journey.query_side.screening import DocumentClearanceStore, HttpScreening, ScreeningCheck
from journey.query_side.simulators import Simulators, shipped_lists
from tests.support.query_side import applicant_for, prequalifier
from tests.support.servers import serving

POPULATION = default_population()


def listed_applicant() -> Applicant:
    """Someone applying under a sanctioned person's name and birth date, with a real id."""
    listed = POPULATION.listed[3]
    carrier = POPULATION.sample(registry_status="VALID", country=listed.country)
    return applicant_for(
        carrier,
        given_names=listed.given_names,
        surnames=list(listed.surnames),
        birth_date=listed.birth_date,
    )


async def test_a_sanctioned_applicant_is_declined_and_not_told_why() -> None:
    sims = Simulators.build(POPULATION)
    service, _ = prequalifier(sims, screener=ScreeningCheck(sims.screening))  # type: ignore[arg-type]
    result = await service.prequalify(
        PrequalificationRequest(
            applicant=listed_applicant(), product_code="CLASSIC", bureau_consent=True
        )
    )
    screening = result.checks[0]
    assert (screening.outcome, screening.verdict) == ("HIT", Verdict.FAIL)
    assert result.decision is Decision.NOT_ELIGIBLE
    told = " ".join(result.customer_reasons).lower()
    assert all(word not in told for word in ("sanction", "ofac", "list", "un ", "screen"))


async def test_a_politically_exposed_person_goes_to_an_analyst_not_to_a_decline() -> None:
    sims = Simulators.build(POPULATION)
    pep = POPULATION.peps()[0]
    check = await ScreeningCheck(sims.screening).check(applicant_for(pep))
    assert check.outcome == "HIT"
    assert check.verdict is Verdict.REFER


async def test_an_innocent_namesake_with_another_birth_date_is_not_held_up() -> None:
    sims = Simulators.build(POPULATION)
    checks = [
        await ScreeningCheck(sims.screening).check(applicant_for(p))
        for p in POPULATION.namesakes()[:30]
    ]
    assert all(check.verdict is not Verdict.FAIL for check in checks)


async def test_a_cleared_false_positive_stays_cleared_across_restarts(tmp_path: Path) -> None:
    namesake = POPULATION.namesakes()[0]
    subject = ScreeningSubject(
        given_names=namesake.given_names,
        surnames=namesake.surnames,
        country=namesake.country,
        subject_key="CL:namesake-1",
    )
    storage = await SqliteStorage(tmp_path / "journey.db").open()
    engine = ScreeningEngine(shipped_lists(), clearances=DocumentClearanceStore(storage))
    first = await engine.screen(subject)
    assert first.outcome is Outcome.POSSIBLE_MATCH
    hit = first.hits[0]
    await engine.clear_false_positive(
        ClearanceRequest(
            subject_key="CL:namesake-1",
            list_name=hit.list_name,
            entry_id=hit.entry_id,
            list_version=hit.list_version,
            analyst="analyst-7",
            reason="different person: other birth place and date",
        )
    )
    await storage.close()

    storage = await SqliteStorage(tmp_path / "journey.db").open()
    restarted = ScreeningEngine(shipped_lists(), clearances=DocumentClearanceStore(storage))
    again = await restarted.screen(subject)
    assert again.outcome is Outcome.CLEAR
    assert [h.entry_id for h in again.cleared] == [hit.entry_id]
    other = await restarted.screen(subject.model_copy(update={"subject_key": "CL:someone-else"}))
    assert other.outcome is Outcome.POSSIBLE_MATCH
    await storage.close()


async def test_screening_over_http_answers_as_the_engine_does() -> None:
    sims = Simulators.build(POPULATION)
    subject = ScreeningSubject(full_name="GONZALES PEREZ JOSE A")
    local = await sims.screening.screen(subject)
    async with (
        serving(create_simulators_app(sims)) as base,
        httpx.AsyncClient(base_url=base) as client,
    ):
        remote = HttpScreening(client)
        answer = await remote.screen(subject)
        assert (answer.outcome, [h.entry_id for h in answer.hits]) == (
            local.outcome,
            [h.entry_id for h in local.hits],
        )
        versions = await remote.list_versions()
        assert {v.name for v in versions} == {"OFAC-SDN", "UN", "PEP", "INTERNAL"}
        with pytest.raises(ProviderRejected, match="409"):
            await remote.clear_false_positive(
                ClearanceRequest(
                    subject_key="x",
                    list_name="OFAC-SDN",
                    entry_id="no-such-entry",
                    list_version=versions[0].version,
                    analyst="a",
                    reason="r",
                )
            )
