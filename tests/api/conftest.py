"""The API over the whole platform in memory, on a manual clock (tests.support.journey), with
its background work running; tokens signed with a test key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from journey.entrypoints.api.app import create_app
from journey.entrypoints.api.auth import Tokens
from journey.query_side.population import Person
from journey.query_side.subjects import subject_key
from journey.settings import AuthSettings, Settings
from tests.support.journey import Journeys, journeys, person

TEST_KEY = "a-test-signing-key-that-is-long-enough-for-hs256"
AUTH = AuthSettings(signing_key=SecretStr(TEST_KEY), dev_login=True, issuer="urn:journey:test")


class Api:
    """An HTTP client on the app, with tokens for whoever a test needs to be."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, world: Journeys) -> None:
        self.app = app
        self.client = client
        self.world = world
        self.tokens = Tokens(AUTH)

    def token(self, role: str, subject: str = "someone") -> str:
        return self.tokens.issue(subject, [role])

    def as_(self, role: str, subject: str = "someone") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, subject)}"}

    def customer(self, who: Person) -> dict[str, str]:
        return self.as_("customer", subject_key(who.country, who.national_id))

    @property
    def operator(self) -> dict[str, str]:
        return self.as_("operator", "olga")

    @property
    def analyst(self) -> dict[str, str]:
        return self.as_("analyst", "ana")

    async def get(self, url: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
        return await self.client.get(url, headers=headers, **kw)

    async def post(self, url: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
        return await self.client.post(url, headers=headers, **kw)

    async def apply(
        self, who: Person, application_id: str | None = None, **overrides: Any
    ) -> httpx.Response:
        body = application_body(who, application_id, **overrides)
        return await self.post("/applications", self.customer(who), json=body)

    async def until(self, check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
        """Wait for the background work (real time) to make `check` true."""
        async with asyncio.timeout(seconds):
            while not await check():
                await asyncio.sleep(0.02)

    async def status_becomes(self, application_id: str, *statuses: str) -> str:
        async def reached() -> bool:
            found = await self.world.storage.get_document("journeys", application_id)
            return found is not None and found["status"] in statuses

        await self.until(reached)
        return await self.world.status(application_id)


def application_body(who: Person, application_id: str | None = None, **overrides: Any) -> dict:
    from journey.demo.applicants import application_for

    command = application_for(
        who,
        application_id=application_id or "ignored",
        product_code="GOLD",
        design_code="gold-sun",
    )
    body = command.model_dump(mode="json", exclude={"customer_id"})
    if application_id is None:
        del body["application_id"]
    body.update(overrides)
    return body


@asynccontextmanager
async def api_over(world: Journeys) -> AsyncIterator[Api]:
    app = create_app(
        Settings(event_store="memory", key_store="memory"), platform=world.platform, auth=AUTH
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield Api(app, client, world)


@pytest.fixture
async def world() -> AsyncIterator[Journeys]:
    harness = await journeys()
    yield harness
    await harness.close()


@pytest.fixture
async def api(world: Journeys) -> AsyncIterator[Api]:
    async with api_over(world) as running:
        yield running


@pytest.fixture
def alice() -> Person:
    return person()


@pytest.fixture
def bob(alice: Person) -> Iterator[Person]:
    from journey.query_side.population import default_population

    for candidate in default_population().people:
        if (
            candidate.person_id != alice.person_id
            and candidate.registry_status == "VALID"
            and candidate.pep_role is None
            and candidate.namesake_of is None
            and candidate.credit.score is not None
            and candidate.credit.score >= 760
            and not candidate.credit.thin
            and not candidate.credit.public_records
        ):
            yield candidate
            return
    raise LookupError("a second creditworthy person")


async def journeys_with_sink() -> Journeys:
    """The test platform, but its email goes over SMTP to a local sink (a free port)."""
    from journey.command_side.logistics import SimulatedCarrier
    from journey.command_side.notifications import SmtpSettings
    from journey.cqrs.clock import ManualClock
    from journey.cqrs.privacy.keystore import MemoryKeyStore
    from journey.cqrs.store.memory import MemoryStorage
    from journey.platform import WorldSettings, build_platform
    from tests.support.journey import CALM_CARRIER, FAST_RETRY, ScriptedTester

    clock = ManualClock()
    tester = ScriptedTester()
    platform = await build_platform(
        Settings(event_store="memory", key_store="memory"),
        world=WorldSettings(misprint_rate=0.0),
        clock=clock,
        storage=MemoryStorage(),
        keys=MemoryKeyStore(),
        smtp=SmtpSettings(host="127.0.0.1", port=0),
        tester=tester,
        carrier=SimulatedCarrier(CALM_CARRIER),
        command_retry=FAST_RETRY,
        seed_stock_batch=False,
    )
    harness = Journeys(platform, clock, tester)
    await harness.stock("gold-sun", 10)
    return harness
