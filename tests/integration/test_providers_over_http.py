"""The simulators served over real HTTP, reached through the httpx adapters and the guards."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from journey.cqrs.retry import RetryPolicy
from journey.query_side.cdp.model import Identity
from journey.query_side.citizen.service import CitizenValidator
from journey.query_side.credit.port import CreditSubject
from journey.query_side.crm.model import CustomerUpsert
from journey.query_side.http.clients import HttpBureau, HttpCdp, HttpCrm, HttpRegistry
from journey.query_side.http.server import create_simulators_app
from journey.query_side.resilience import (
    BreakerSettings,
    BreakerState,
    Guard,
    GuardSettings,
    ProviderError,
    ProviderRejected,
)
from journey.query_side.simulators import Simulators
from tests.support.query_side import POPULATION
from tests.support.servers import serving


@pytest.fixture
async def http() -> AsyncIterator[tuple[httpx.AsyncClient, Simulators]]:
    sims = Simulators.build(POPULATION)
    async with (
        serving(create_simulators_app(sims)) as base,
        httpx.AsyncClient(base_url=base, timeout=2) as client,
    ):
        yield client, sims


async def test_the_registry_answers_over_http_and_an_unknown_id_is_none(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, _ = http
    registry = HttpRegistry(client)
    person = POPULATION.sample(country="MX", registry_status="VALID")
    record = await registry.lookup("MX", person.national_id)
    assert record is not None
    assert record.given_names == person.given_names
    assert await registry.lookup("MX", "BOXW310820HNERXN09") is None


async def test_crm_writes_and_reads_over_http_idempotently(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, _ = http
    crm = HttpCrm(client)
    person = POPULATION.sample(existing_customer=False)
    update = CustomerUpsert(
        country=person.country, national_id=person.national_id, full_name=person.full_name
    )
    first = await crm.upsert_customer(update, idempotency_key="k-1")
    second = await crm.upsert_customer(update, idempotency_key="k-1")
    assert first.customer_id == second.customer_id
    found = await crm.find_customer(person.country, person.national_id)
    assert found is not None
    assert found.customer_id == first.customer_id


async def test_cdp_and_bureaus_answer_over_http(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, sims = http
    person = POPULATION.sample(has_file=True, thin=False)
    profile = await HttpCdp(client).resolve([Identity(namespace="email", value=person.email)])
    assert profile is not None
    report = await HttpBureau(client, "bureau-b").pull(
        CreditSubject(country=person.country, national_id=person.national_id),
        pull_id="p-1",
        hard=False,
    )
    assert report.bureau == "bureau-b"
    assert report.risk_tier is not None
    again = await HttpBureau(client, "bureau-b").pull(
        CreditSubject(country=person.country, national_id=person.national_id),
        pull_id="p-1",
        hard=False,
    )
    assert again == report
    assert sims.bureau("bureau-b").billed == 1


async def test_an_outage_is_a_503_that_becomes_a_retryable_error(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, _ = http
    await client.post("/admin/knobs/registry", json={"down": True})
    with pytest.raises(ProviderError, match="503"):
        await HttpRegistry(client).lookup("CL", "76086428-5")


async def test_a_malformed_request_is_refused_not_retried(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, _ = http
    with pytest.raises(ProviderRejected, match="422"):
        await HttpRegistry(client).lookup("CHILE", "76086428-5")
    with pytest.raises(ProviderRejected):
        await HttpBureau(client, "bureau-z").pull(
            CreditSubject(country="CL", national_id="1"), pull_id="x", hard=False
        )


async def test_the_circuit_breaker_opens_on_an_outage_and_closes_when_it_ends(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, _ = http
    now = [0.0]
    guard = Guard(
        "registry",
        GuardSettings(
            timeout=1,
            retry=RetryPolicy(max_attempts=1, initial_delay=0, jitter=0),
            breaker=BreakerSettings(failure_threshold=3, open_for=30),
        ),
        clock=lambda: now[0],
    )
    validator = CitizenValidator(HttpRegistry(client), guard=guard)
    person = POPULATION.sample(country="CL", registry_status="VALID")
    await client.post("/admin/knobs/registry", json={"down": True})
    for n in range(3):
        result = await validator.validate("CL", person.national_id)
        assert result.registry_status == "UNAVAILABLE", n
    assert guard.breaker.state is BreakerState.OPEN
    await client.post("/admin/knobs/registry", json={"down": False})
    assert (await validator.validate("CL", person.national_id)).registry_status == "UNAVAILABLE"
    now[0] = 31  # half open: the next call is the probe
    result = await validator.validate("CL", person.national_id)
    assert result.registry_status == "VALID"
    assert guard.breaker.state is BreakerState.CLOSED


async def test_the_knobs_endpoint_names_unknown_services(
    http: tuple[httpx.AsyncClient, Simulators],
) -> None:
    client, _ = http
    answer = await client.post("/admin/knobs/nope", json={"down": True})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "known:" in answer.json()["detail"]
