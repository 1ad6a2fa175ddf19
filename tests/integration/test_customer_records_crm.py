"""After `UpdateCustomerRecords`, the query side's CRM lookup sees the customer and the product,
in-process and over HTTP, once, even through an outage and the scheduler's retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from journey.command_side.customer_records import (
    CachedLookups,
    CustomerRecords,
    GivenConsent,
    UpdateCustomerRecords,
    customer_records_module,
)
from journey.cqrs.clock import ManualClock
from journey.cqrs.context import MessageContext
from journey.cqrs.runtime import Kernel
from journey.cqrs.scheduling import schedule_command
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.model import Commit
from journey.query_side.assembly import build_query_side
from journey.query_side.cdp.model import Identity
from journey.query_side.cdp.port import CustomerDataPlatform
from journey.query_side.crm.port import CustomerCrm
from journey.query_side.crm.service import CrmLookupService
from journey.query_side.http.clients import HttpCdp, HttpCrm
from journey.query_side.http.server import create_simulators_app
from journey.query_side.population import Person
from journey.query_side.simulators import Simulators
from journey.query_side.subjects import subject_key
from journey.settings import Settings
from tests.support.kernel import kernel_on
from tests.support.notifications import mentions
from tests.support.query_side import POPULATION, quick
from tests.support.servers import serving


def update_for(person: Person, application_id: str) -> UpdateCustomerRecords:
    return UpdateCustomerRecords(
        application_id=application_id,
        customer_id=subject_key(person.country, person.national_id),
        country=person.country,
        national_id=person.national_id,
        name=person.full_name,
        email=person.email,
        phone=person.phone,
        product_code="PLATINUM",
        account_id=f"acct-{application_id}",
        consents=[
            GivenConsent(purpose="processing", text_version="privacy-2026-03", granted=True),
            GivenConsent(
                purpose="marketing_sms",
                text_version="privacy-2026-03",
                granted=True,
                channel="app",
                captured_at=datetime(2026, 1, 1, 9, tzinfo=UTC),
            ),
        ],
    )


async def build(
    crm: CustomerCrm, cdp: CustomerDataPlatform, lookups: CachedLookups, clock: ManualClock
) -> Kernel:
    module = customer_records_module(crm=crm, cdp=cdp, lookups=lookups)
    return await kernel_on(MemoryStorage(), modules=[module], clock=clock)


@pytest.fixture
async def over_http() -> AsyncIterator[tuple[Simulators, HttpCrm, HttpCdp]]:
    sims = Simulators.build(POPULATION)
    async with (
        serving(create_simulators_app(sims)) as base,
        httpx.AsyncClient(base_url=base, timeout=2) as client,
    ):
        yield sims, HttpCrm(client), HttpCdp(client)


async def test_the_crm_lookup_sees_the_new_customer_and_product_after_the_update() -> None:
    sims = Simulators.build(POPULATION)
    lookups = CrmLookupService(sims.crm, guard=quick("crm"))
    kernel = await build(sims.crm, sims.cdp, lookups, ManualClock())
    person = POPULATION.sample(existing_customer=False, country="CO")
    before = await lookups.lookup(person.country, person.national_id)
    assert before.customer is None  # prequalification found no customer (and cached that)

    await kernel.commands.send(update_for(person, "app-co-1"))
    after = await lookups.lookup(person.country, person.national_id)
    assert after.customer is not None
    assert not after.from_cache
    assert after.customer.full_name == person.full_name
    assert after.customer.holds("PLATINUM")

    await kernel.commands.send(update_for(person, "app-co-1"))
    again = await lookups.lookup(person.country, person.national_id)
    assert again.customer is not None
    assert [p.account_id for p in again.customer.products] == ["acct-app-co-1"]
    await kernel.close()


async def test_the_cdp_lookup_sees_the_consents_the_update_recorded_not_a_cached_profile() -> None:
    sims = Simulators.build(POPULATION)
    settings = Settings(event_store="memory", key_store="memory")
    query_side = build_query_side(
        settings, storage=MemoryStorage(), clock=ManualClock(), simulators=sims
    )
    kernel = await build(sims.crm, sims.cdp, query_side, ManualClock())
    person = POPULATION.sample(existing_customer=False, country="CO")
    before = await query_side.cdp.profile(person.country, person.national_id, [])
    consents_before = [] if before.profile is None else before.profile.consents
    assert all(c.text_version != "privacy-2026-03" for c in consents_before)
    assert (await query_side.cdp.profile(person.country, person.national_id, [])).from_cache

    await kernel.commands.send(update_for(person, "app-co-9"))
    after = await query_side.cdp.profile(person.country, person.national_id, [])
    assert not after.from_cache
    assert after.profile is not None
    assert after.profile.consent("marketing_sms") is not None
    assert not (await query_side.crm.lookup(person.country, person.national_id)).from_cache
    await kernel.close()


async def test_over_http_the_update_reaches_the_crm_and_cdp_the_query_side_reads(
    over_http: tuple[Simulators, HttpCrm, HttpCdp],
) -> None:
    sims, crm, cdp = over_http
    lookups = CrmLookupService(crm, guard=quick("crm"))
    kernel = await build(crm, cdp, lookups, ManualClock())
    person = POPULATION.sample(existing_customer=False, country="MX")
    first = await kernel.commands.send(update_for(person, "app-mx-1"))
    second = await kernel.commands.send(update_for(person, "app-mx-1"))
    assert first.value == second.value

    found = await lookups.lookup(person.country, person.national_id)
    assert found.customer is not None
    assert found.customer.customer_id == first.value["crm_customer_id"]
    assert [(p.code, p.account_id) for p in found.customer.products] == [
        ("PLATINUM", "acct-app-mx-1")
    ]
    profile = await cdp.resolve([Identity(namespace="email", value=person.email)])
    assert profile is not None
    assert profile.profile_id == first.value["cdp_profile_id"]
    assert profile.allows("marketing_sms")
    assert [c.text_version for c in profile.consents].count("privacy-2026-03") == 2
    served = await sims.crm.find_customer(person.country, person.national_id)
    assert served is not None  # written over the wire into the server's CRM
    await kernel.close()


async def test_a_scheduled_update_waits_out_a_crm_outage_and_writes_once(
    over_http: tuple[Simulators, HttpCrm, HttpCdp],
) -> None:
    sims, crm, cdp = over_http
    clock = ManualClock()
    lookups = CrmLookupService(crm, guard=quick("crm"))
    kernel = await build(crm, cdp, lookups, clock)
    person = POPULATION.sample(existing_customer=False, country="CL")
    command = update_for(person, "app-cl-1")
    # As the saga would: a scheduled command, its personal fields encrypted in the row.
    row = await schedule_command(
        kernel.codec, command, due_at=clock.now(), now=clock.now(), context=MessageContext.root()
    )
    assert mentions(row.payload, [person.national_id, person.full_name]) == []
    sims.crm.knobs.down = True  # the CRM answers 503
    await kernel.storage.commit(Commit(schedule=[row]))
    await kernel.settle()
    [pending] = await kernel.storage.due_scheduled(clock.now() + timedelta(days=1))
    assert pending.attempts == 1
    assert await kernel.storage.read_stream(CustomerRecords.stream_id_for("app-cl-1")) == []

    sims.crm.knobs.down = False
    clock.advance(timedelta(minutes=10))
    await kernel.settle()
    [record] = await kernel.storage.read_stream(CustomerRecords.stream_id_for("app-cl-1"))
    assert record.event_type == "CustomerRecordsUpdated"
    found = await lookups.lookup(person.country, person.national_id)
    assert found.customer is not None
    assert len(found.customer.products) == 1
    assert await kernel.storage.due_scheduled(clock.now() + timedelta(days=1)) == []
    await kernel.close()
