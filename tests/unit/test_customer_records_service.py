"""Customer records: the CRM and CDP are written once per application, retried, never undone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import structlog

from journey.command_side.customer_records import (
    CustomerRecords,
    UpdateCustomerRecords,
    customer_records_module,
)
from journey.cqrs.clock import ManualClock
from journey.cqrs.errors import RuleViolation
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from journey.query_side.cdp.model import CdpProfile, Consent, Identity
from journey.query_side.cdp.port import CustomerDataPlatform
from journey.query_side.cdp.simulator import SimulatedCdp
from journey.query_side.crm.model import CrmCustomer, CustomerUpsert
from journey.query_side.crm.port import CustomerCrm
from journey.query_side.crm.simulator import SimulatedCrm
from journey.query_side.population import Person
from journey.query_side.resilience import ProviderError
from journey.query_side.simulators import Simulators
from journey.query_side.subjects import subject_key
from tests.support.kernel import kernel_on
from tests.support.notifications import erase, mentions
from tests.support.query_side import POPULATION

CAPTURED = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def consents() -> list[dict[str, object]]:
    """As the application holds them (issuance's `ConsentGiven`), with one fuller record."""
    return [
        {"purpose": "processing", "text_version": "privacy-2026-02", "granted": True},
        {"purpose": "bureau", "text_version": "privacy-2026-02", "granted": True},
        {
            "purpose": "marketing_email",
            "legal_basis": "consent",
            "granted": False,
            "text_version": "privacy-2026-02",
            "channel": "web",
            "captured_at": CAPTURED,
        },
    ]


def update_for(
    person: Person, application_id: str = "app-1", given: list[dict[str, object]] | None = None
) -> UpdateCustomerRecords:
    return UpdateCustomerRecords.model_validate(
        {
            "application_id": application_id,
            "customer_id": subject_key(person.country, person.national_id),
            "country": person.country,
            "national_id": person.national_id,
            "name": person.full_name,
            "email": person.email,
            "phone": person.phone,
            "product_code": "GOLD",
            "account_id": f"acct-{application_id}",
            "consents": consents() if given is None else given,
        }
    )


class RecordingCrm:
    """The simulated CRM, noting the idempotency keys it is given."""

    def __init__(self, inner: SimulatedCrm) -> None:
        self.inner = inner
        self.keys: list[str] = []
        self.name = "crm-recording"

    async def find_customer(self, country: str, national_id: str) -> CrmCustomer | None:
        return await self.inner.find_customer(country, national_id)

    async def upsert_customer(self, update: CustomerUpsert, *, idempotency_key: str) -> CrmCustomer:
        self.keys.append(idempotency_key)
        return await self.inner.upsert_customer(update, idempotency_key=idempotency_key)


class FlakyCdp:
    """The simulated CDP that fails the n-th consent it is asked to record, once."""

    def __init__(self, inner: SimulatedCdp, fail_at: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.recorded = 0
        self.name = "cdp-flaky"

    async def resolve(self, identities: Sequence[Identity]) -> CdpProfile | None:
        return await self.inner.resolve(identities)

    async def record_consent(self, identities: Sequence[Identity], consent: Consent) -> CdpProfile:
        self.recorded += 1
        if self.recorded == self.fail_at:
            raise ProviderError("cdp", "timed out")
        return await self.inner.record_consent(identities, consent)


async def kernel_with(
    sims: Simulators,
    crm: CustomerCrm | None = None,
    cdp: CustomerDataPlatform | None = None,
    clock: ManualClock | None = None,
) -> Kernel:
    module = customer_records_module(crm=crm or sims.crm, cdp=cdp or sims.cdp)
    return await kernel_on(MemoryStorage(), modules=[module], clock=clock or ManualClock())


def new_customer(country: str = "CO") -> Person:
    return POPULATION.sample(existing_customer=False, country=country)


async def test_the_crm_gets_the_customer_and_product_under_the_applications_key() -> None:
    sims = Simulators.build(POPULATION)
    crm = RecordingCrm(sims.crm)
    kernel = await kernel_with(sims, crm=crm)
    person = new_customer()
    assert await sims.crm.find_customer(person.country, person.national_id) is None

    result = await kernel.commands.send(update_for(person))
    customer = await sims.crm.find_customer(person.country, person.national_id)
    assert customer is not None
    assert customer.full_name == person.full_name
    assert customer.email == person.email
    assert [(p.code, p.account_id, p.status) for p in customer.products] == [
        ("GOLD", "acct-app-1", "active")
    ]
    assert crm.keys == ["app-1:crm"]
    assert result.value["crm_customer_id"] == customer.customer_id
    await kernel.close()


async def test_the_cdp_holds_the_applications_consents_on_the_persons_profile() -> None:
    sims = Simulators.build(POPULATION)
    kernel = await kernel_with(sims)
    person = new_customer()
    result = await kernel.commands.send(update_for(person))
    profile = await sims.cdp.resolve(
        [Identity(namespace="national_id", value=f"{person.country}:{person.national_id}")]
    )
    assert profile is not None
    assert result.value["cdp_profile_id"] == profile.profile_id
    ours = {c.purpose: c for c in profile.consents if c.text_version == "privacy-2026-02"}
    assert sorted(ours) == ["bureau", "marketing_email", "processing"]
    # What the application did not say is filled in: the basis from the purpose, the channel,
    # the time the records were written.
    assert (ours["processing"].legal_basis, ours["bureau"].legal_basis) == ("contract", "consent")
    assert ours["processing"].channel == "onboarding"
    assert ours["processing"].captured_at == kernel.clock.now()
    assert (ours["marketing_email"].channel, ours["marketing_email"].captured_at) == (
        "web",
        CAPTURED,
    )
    assert not profile.allows("marketing_email")
    assert result.value is not None
    await kernel.close()


async def test_bureau_consent_rests_on_credit_protection_in_brazil() -> None:
    sims = Simulators.build(POPULATION)
    kernel = await kernel_with(sims)
    person = POPULATION.sample(existing_customer=False, country="BR")
    await kernel.commands.send(update_for(person))
    profile = await sims.cdp.resolve(
        [Identity(namespace="national_id", value=f"{person.country}:{person.national_id}")]
    )
    assert profile is not None
    bureau = profile.consent("bureau")
    assert bureau is not None
    assert bureau.legal_basis == "credit_protection"
    await kernel.close()


async def test_a_purpose_the_cdp_does_not_know_is_skipped_and_the_rest_recorded() -> None:
    sims = Simulators.build(POPULATION)
    kernel = await kernel_with(sims)
    person = new_customer()
    given = [
        {"purpose": "telepathy", "text_version": "v1", "granted": True},
        {"purpose": "processing", "text_version": "v1", "granted": True},
    ]
    with structlog.testing.capture_logs() as logs:
        await kernel.commands.send(update_for(person, given=given))
    [record] = await kernel.storage.read_stream(CustomerRecords.stream_id_for("app-1"))
    assert orjson.loads(record.data)["consents_recorded"] == 1
    assert [e["purpose"] for e in logs if e["event"].startswith("consent purpose unknown")] == [
        "telepathy"
    ]
    await kernel.close()


async def test_a_consent_given_again_after_a_withdrawal_is_recorded() -> None:
    sims = Simulators.build(POPULATION)
    clock = ManualClock()
    kernel = await kernel_with(sims, clock=clock)
    person = new_customer()
    marketing = {"purpose": "marketing_sms", "text_version": "v1", "channel": "app"}
    await kernel.commands.send(update_for(person, "app-1", [{**marketing, "granted": True}]))
    clock.advance(timedelta(days=1))
    await kernel.commands.send(update_for(person, "app-2", [{**marketing, "granted": False}]))
    clock.advance(timedelta(days=1))
    await kernel.commands.send(update_for(person, "app-3", [{**marketing, "granted": True}]))
    profile = await sims.cdp.resolve([Identity(namespace="email", value=person.email)])
    assert profile is not None
    decisions = [c.granted for c in profile.consents if c.purpose == "marketing_sms"]
    assert decisions == [True, False, True]
    assert profile.allows("marketing_sms")
    await kernel.close()


async def test_a_repeated_command_changes_nothing_and_answers_the_first_result() -> None:
    sims = Simulators.build(POPULATION)
    crm = RecordingCrm(sims.crm)
    kernel = await kernel_with(sims, crm=crm)
    person = new_customer()
    first = await kernel.commands.send(update_for(person))
    calls = (sims.crm.calls, sims.cdp.calls)
    again = await kernel.commands.send(update_for(person))
    assert again.value == first.value
    assert again.position is None
    assert (sims.crm.calls, sims.cdp.calls) == calls  # not even asked
    stream = await kernel.storage.read_stream(CustomerRecords.stream_id_for("app-1"))
    assert [record.event_type for record in stream] == ["CustomerRecordsUpdated"]
    await kernel.close()


async def test_an_outage_raises_records_nothing_and_the_retry_writes_each_thing_once() -> None:
    sims = Simulators.build(POPULATION)
    cdp = FlakyCdp(sims.cdp, fail_at=2)  # the CRM succeeds, then the CDP fails mid-way
    kernel = await kernel_with(sims, cdp=cdp)
    person = new_customer()
    with pytest.raises(ProviderError):
        await kernel.commands.send(update_for(person))
    assert await kernel.storage.last_position() == 0

    await kernel.commands.send(update_for(person))
    customer = await sims.crm.find_customer(person.country, person.national_id)
    assert customer is not None
    assert len(customer.products) == 1
    profile = await sims.cdp.resolve(
        [Identity(namespace="national_id", value=f"{person.country}:{person.national_id}")]
    )
    assert profile is not None
    ours = [c.purpose for c in profile.consents if c.text_version == "privacy-2026-02"]
    assert sorted(ours) == ["bureau", "marketing_email", "processing"]  # each exactly once
    await kernel.close()


async def test_a_crm_outage_is_left_to_the_scheduler_to_retry() -> None:
    sims = Simulators.build(POPULATION)
    sims.crm.knobs.down = True
    kernel = await kernel_with(sims)
    with pytest.raises(ProviderError):
        await kernel.commands.send(update_for(new_customer()))
    assert await kernel.storage.last_position() == 0
    await kernel.close()


async def test_an_existing_customer_gains_the_product_and_keeps_what_they_had() -> None:
    sims = Simulators.build(POPULATION)
    kernel = await kernel_with(sims)
    person = POPULATION.sample(existing_customer=True)
    before = await sims.crm.find_customer(person.country, person.national_id)
    assert before is not None
    result = await kernel.commands.send(update_for(person))
    after = await sims.crm.find_customer(person.country, person.national_id)
    assert after is not None
    assert result.value["crm_customer_id"] == before.customer_id == after.customer_id
    assert [p.account_id for p in after.products] == [
        *(p.account_id for p in before.products),
        "acct-app-1",
    ]
    assert after.customer_since == before.customer_since
    await kernel.close()


async def test_a_customer_erased_before_the_update_is_not_written_anywhere() -> None:
    sims = Simulators.build(POPULATION)
    kernel = await kernel_with(sims)
    person = new_customer()
    command = update_for(person)
    payload = await kernel.codec.encode_message(command)
    await erase(kernel, command.customer_id)
    erased = await kernel.codec.decode_message(UpdateCustomerRecords, payload)
    assert erased.national_id is None
    with pytest.raises(RuleViolation, match="erased"):
        await kernel.commands.send(erased)
    assert await sims.crm.find_customer(person.country, person.national_id) is None
    await kernel.close()


async def test_the_event_and_the_logs_hold_ids_not_the_person() -> None:
    sims = Simulators.build(POPULATION)
    kernel = await kernel_with(sims)
    person = new_customer()
    with structlog.testing.capture_logs() as logs:
        await kernel.commands.send(update_for(person))
    [record] = await kernel.storage.read_stream(CustomerRecords.stream_id_for("app-1"))
    secrets = [person.national_id, person.full_name, person.email, person.phone]
    assert mentions(record.data, secrets) == []
    assert any(entry["event"] == "customer records updated" for entry in logs)
    assert mentions(repr(logs), secrets) == []
    await kernel.close()
