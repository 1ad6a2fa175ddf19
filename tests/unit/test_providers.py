"""The registry, CRM, CDP and bureaus: each service's domain rules over the simulators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journey.cqrs.clock import ManualClock
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.store.memory import MemoryStorage
from journey.query_side.assembly import build_query_side
from journey.query_side.cdp.model import Consent, Identity
from journey.query_side.cdp.service import CdpService
from journey.query_side.cdp.simulator import SimulatedCdp
from journey.query_side.citizen.service import CitizenValidator
from journey.query_side.citizen.simulator import SimulatedRegistry
from journey.query_side.credit.model import CreditReport
from journey.query_side.credit.port import CreditSubject
from journey.query_side.credit.scales import BURO_MI_SCORE, DATACREDITO, FICO_LIKE
from journey.query_side.credit.service import CreditRecordService
from journey.query_side.credit.simulator import SimulatedBureau
from journey.query_side.crm.model import CustomerUpsert, HeldProduct
from journey.query_side.crm.service import CrmLookupService
from journey.query_side.crm.simulator import SimulatedCrm
from journey.query_side.population import default_population
from journey.query_side.resilience import Guard, GuardSettings, ProviderError
from journey.query_side.simulation import SimulationKnobs
from journey.query_side.simulators import Simulators
from journey.settings import Settings

PEOPLE = default_population()


def quick_guard(name: str) -> Guard:
    return Guard(
        name, GuardSettings(timeout=1, retry=RetryPolicy(max_attempts=2, initial_delay=0, jitter=0))
    )


# -- citizen validation ---------------------------------------------------------------------------
async def test_a_living_citizen_validates_with_a_high_name_match() -> None:
    person = PEOPLE.sample(country="CL", registry_status="VALID")
    validator = CitizenValidator(SimulatedRegistry(PEOPLE))
    result = await validator.validate(
        "CL",
        person.national_id.replace(".", ""),
        given_names=person.given_names,
        surnames=list(reversed(person.surnames)),
    )
    assert result.registry_status == "VALID"
    assert result.passes
    assert result.name_match_score is not None
    assert result.name_match_score >= 95


@pytest.mark.parametrize("status", ["DECEASED", "CANCELLED"])
async def test_a_deceased_or_cancelled_id_is_reported_as_such(status: str) -> None:
    person = PEOPLE.sample(registry_status=status)
    result = await CitizenValidator(SimulatedRegistry(PEOPLE)).validate(
        person.country, person.national_id
    )
    assert result.registry_status == status
    assert not result.passes


async def test_a_valid_id_nobody_holds_is_not_found() -> None:
    result = await CitizenValidator(SimulatedRegistry(PEOPLE)).validate("CL", "76086428-5")
    assert (result.id_valid, result.registry_status) == (True, "NOT_FOUND")


async def test_an_invalid_id_never_reaches_the_registry() -> None:
    registry = SimulatedRegistry(PEOPLE)
    result = await CitizenValidator(registry).validate("CL", "76086428-4")
    assert not result.id_valid
    assert registry.calls == 0


async def test_a_registry_that_is_down_answers_unavailable_never_valid() -> None:
    person = PEOPLE.sample(country="PE")
    registry = SimulatedRegistry(PEOPLE, SimulationKnobs(down=True))
    result = await CitizenValidator(registry, guard=quick_guard("registry")).validate(
        "PE", person.national_id
    )
    assert result.registry_status == "UNAVAILABLE"
    assert not result.passes


# -- CRM ------------------------------------------------------------------------------------------
async def test_the_crm_reads_back_what_the_command_side_wrote_once_per_idempotency_key() -> None:
    person = PEOPLE.sample(existing_customer=False, registry_status="VALID")
    crm = SimulatedCrm(PEOPLE)
    service = CrmLookupService(crm)
    assert (await service.lookup(person.country, person.national_id)).customer is None
    update = CustomerUpsert(
        country=person.country,
        national_id=person.national_id,
        full_name=person.full_name,
        product=HeldProduct(code="GOLD", account_id="acc-1", opened_on=datetime.now(UTC).date()),
    )
    first = await crm.upsert_customer(update, idempotency_key="app-1:crm")
    again = await crm.upsert_customer(update, idempotency_key="app-1:crm")
    assert first == again
    await service.forget(person.country, person.national_id)
    found = (await service.lookup(person.country, person.national_id)).customer
    assert found is not None
    assert found.holds("GOLD")
    assert len(found.products) == 1


async def test_existing_customers_come_with_products_and_flags() -> None:
    person = PEOPLE.sample(existing_customer=True)
    found = (await CrmLookupService(SimulatedCrm(PEOPLE)).lookup(
        person.country, person.national_id
    )).customer  # fmt: skip
    assert found is not None
    assert found.products


# -- CDP ------------------------------------------------------------------------------------------
async def test_an_anonymous_device_profile_is_stitched_into_the_known_person() -> None:
    cdp = SimulatedCdp(PEOPLE)
    stitched = None
    for person in PEOPLE.people[:200]:
        device = Identity(namespace="device", value=person.device_id)
        alone = await cdp.resolve([device])
        assert alone is not None
        if alone.profile_id.startswith("cdp-anon-"):
            national = Identity(
                namespace="national_id", value=f"{person.country}:{person.national_id}"
            )
            stitched = await cdp.resolve([national, device])
            assert stitched is not None
            assert stitched.merged_from == (alone.profile_id,)
            assert device in stitched.identities
            again = await cdp.resolve([device])
            assert again is not None
            assert again.profile_id == stitched.profile_id
            break
    assert stitched is not None, "the population has anonymous device profiles"


async def test_a_withdrawn_consent_is_no_longer_in_force() -> None:
    person = PEOPLE.sample(country="CO")
    cdp = SimulatedCdp(PEOPLE)
    me = [Identity(namespace="email", value=person.email)]
    now = datetime(2026, 3, 1, tzinfo=UTC)
    given = Consent(
        purpose="marketing_sms",
        legal_basis="consent",
        granted=True,
        text_version="v7",
        channel="app",
        captured_at=now,
    )
    profile = await cdp.record_consent(me, given)
    assert profile.allows("marketing_sms")
    withdrawn = given.model_copy(
        update={"captured_at": now + timedelta(days=1), "withdrawn_at": now + timedelta(days=1)}
    )
    profile = await cdp.record_consent(me, withdrawn)
    assert not profile.allows("marketing_sms")
    service = CdpService(cdp)
    lookup = await service.profile(person.country, person.national_id, me)
    assert lookup.profile is not None
    assert lookup.profile.offer.products


# -- credit ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scale", "score", "tier"),
    [
        (FICO_LIKE, 790, "A"),
        (FICO_LIKE, 640, "D"),
        (DATACREDITO, 900, "A"),
        (DATACREDITO, 700, "C"),
        (BURO_MI_SCORE, 600, "D"),
        (BURO_MI_SCORE, 500, "E"),
    ],
)
def test_each_bureau_scale_normalizes_into_one_risk_tier(
    scale: object, score: int, tier: str
) -> None:
    assert scale.tier(score) == tier  # type: ignore[attr-defined]


def test_a_score_outside_its_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        DATACREDITO.tier(100)


def bureaus(clock: ManualClock) -> tuple[SimulatedBureau, SimulatedBureau]:
    return (
        SimulatedBureau("bureau-a", FICO_LIKE, population=PEOPLE, clock=clock),
        SimulatedBureau("bureau-b", DATACREDITO, population=PEOPLE, clock=clock),
    )


async def test_a_report_under_fifteen_days_old_is_reused_instead_of_pulled_again() -> None:
    clock = ManualClock(datetime(2026, 4, 1, tzinfo=UTC))
    primary, fallback = bureaus(clock)
    service = CreditRecordService([primary, fallback], clock=clock)
    person = PEOPLE.sample(has_file=True, thin=False)
    first = await service.check(
        person.country, person.national_id, transaction_id="t1", consented=True
    )
    assert first.outcome == "REPORT"
    clock.advance(timedelta(days=14))
    reused = await service.check(
        person.country, person.national_id, transaction_id="t2", consented=True
    )
    assert reused.outcome == "REUSED"
    assert primary.billed == 1
    clock.advance(timedelta(days=2))
    fresh = await service.check(
        person.country, person.national_id, transaction_id="t3", consented=True
    )
    assert fresh.outcome == "REPORT"
    assert primary.billed == 2


async def test_the_fallback_bureau_answers_when_the_primary_is_down() -> None:
    clock = ManualClock()
    primary, fallback = bureaus(clock)
    primary.knobs.down = True
    service = CreditRecordService(
        [primary, fallback],
        clock=clock,
        guards={"bureau-a": quick_guard("bureau-a"), "bureau-b": quick_guard("bureau-b")},
    )
    person = PEOPLE.sample(has_file=True, thin=False)
    check = await service.check(
        person.country, person.national_id, transaction_id="t", consented=True
    )
    assert check.outcome == "REPORT"
    assert check.report is not None
    assert check.report.bureau == "bureau-b"
    assert check.report.score is not None
    assert check.report.score.range_max == 950
    assert check.bureaus_tried == ["bureau-a", "bureau-b"]


async def test_with_every_bureau_down_the_outcome_is_unavailable_not_a_decline() -> None:
    clock = ManualClock()
    primary, fallback = bureaus(clock)
    primary.knobs.down = fallback.knobs.down = True
    service = CreditRecordService(
        [primary, fallback],
        clock=clock,
        guards={"bureau-a": quick_guard("bureau-a"), "bureau-b": quick_guard("bureau-b")},
    )
    person = PEOPLE.sample(has_file=True)
    check = await service.check(
        person.country, person.national_id, transaction_id="t", consented=True
    )
    assert check.outcome == "BUREAU_UNAVAILABLE"
    assert check.report is None


@pytest.mark.parametrize(
    ("fallback_on_no_hit", "tried", "billed"),
    [
        (False, ["bureau-a"], (1, 0)),  # the primary's NO_HIT is the answer (the default)
        (True, ["bureau-a", "bureau-b"], (1, 1)),  # the bank's option: ask the fallback too
    ],
)
async def test_no_file_at_the_primary_asks_the_fallback_only_with_the_no_hit_option(
    fallback_on_no_hit: bool, tried: list[str], billed: tuple[int, int]
) -> None:
    clock = ManualClock()
    primary, fallback = bureaus(clock)
    service = CreditRecordService(
        [primary, fallback], clock=clock, fallback_on_no_hit=fallback_on_no_hit
    )
    person = PEOPLE.sample(has_file=False)
    check = await service.check(
        person.country, person.national_id, transaction_id="t", consented=True
    )
    assert check.outcome == "REPORT"
    assert check.report is not None
    assert check.report.hit == "NO_HIT"
    assert check.bureaus_tried == tried
    assert (primary.billed, fallback.billed) == billed


@pytest.mark.parametrize(("setting", "fallback_pulls"), [(None, 0), (False, 0), (True, 1)])
async def test_the_no_hit_fallback_follows_the_setting(
    setting: bool | None, fallback_pulls: int
) -> None:
    sims = Simulators.build(PEOPLE)
    chosen = {} if setting is None else {"credit_no_hit_fallback": setting}  # None: the default
    settings = Settings(event_store="memory", key_store="memory", **chosen)
    query_side = build_query_side(
        settings, storage=MemoryStorage(), clock=ManualClock(), simulators=sims
    )
    person = PEOPLE.sample(has_file=False)
    await query_side.credit.check(
        person.country, person.national_id, transaction_id="t", consented=True
    )
    assert [bureau.billed for bureau in sims.bureaus] == [1, fallback_pulls]


async def test_the_simulated_bureau_remembers_a_pull_id_for_a_day_and_then_forgets_it() -> None:
    clock = ManualClock()
    primary, _ = bureaus(clock)
    person = PEOPLE.sample(has_file=True, thin=False)
    subject = CreditSubject(country=person.country, national_id=person.national_id)
    first = await primary.pull(subject, pull_id="app-1:bureau-a", hard=True)
    clock.advance(timedelta(hours=23))
    assert await primary.pull(subject, pull_id="app-1:bureau-a", hard=True) == first
    second = await primary.pull(subject, pull_id="app-2:bureau-a", hard=True)
    assert primary.billed == 2
    clock.advance(timedelta(hours=2))  # app-1's id is 25 hours old, app-2's two
    again = await primary.pull(subject, pull_id="app-1:bureau-a", hard=True)
    assert again.pulled_at > first.pulled_at
    assert await primary.pull(subject, pull_id="app-2:bureau-a", hard=True) == second
    assert primary.billed == 3


async def test_a_retried_pull_with_the_same_key_is_billed_once() -> None:
    clock = ManualClock()
    primary, _ = bureaus(clock)

    class LosesTheFirstAnswer:
        """Pulls, then the answer is lost on the way back (a timeout after the fact)."""

        name = "bureau-a"

        def __init__(self) -> None:
            self.lost = False

        async def pull(self, subject: CreditSubject, *, pull_id: str, hard: bool) -> CreditReport:
            report = await primary.pull(subject, pull_id=pull_id, hard=hard)
            if not self.lost:
                self.lost = True
                raise ProviderError("bureau-a", "connection reset after the request was sent")
            return report

    service = CreditRecordService(
        [LosesTheFirstAnswer()], clock=clock, guards={"bureau-a": quick_guard("bureau-a")}
    )
    person = PEOPLE.sample(has_file=True, thin=False)
    check = await service.check(
        person.country, person.national_id, transaction_id="app-9", consented=True, hard=True
    )
    assert check.outcome == "REPORT"
    assert primary.billed == 1


async def test_without_bureau_consent_no_pull_is_made() -> None:
    clock = ManualClock()
    primary, fallback = bureaus(clock)
    service = CreditRecordService([primary, fallback], clock=clock)
    person = PEOPLE.sample(has_file=True)
    check = await service.check(
        person.country, person.national_id, transaction_id="t", consented=False
    )
    assert check.outcome == "NO_CONSENT"
    assert primary.billed == fallback.billed == 0
