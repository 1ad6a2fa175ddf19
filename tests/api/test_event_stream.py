"""`GET /applications/{id}/events` over a real server: the timeline as server-sent events,
resumable with Last-Event-ID, ending when the client leaves or the server shuts down."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from journey.command_side.issuance.agreements import agreement
from journey.cqrs.store.model import Commit, PutDocument
from journey.entrypoints.api.app import create_app
from journey.entrypoints.api.server import DrainingServer, server_for
from journey.entrypoints.api.timeline import JourneyTimeline
from journey.onboarding.read_models import JOURNEYS
from journey.query_side.population import Person
from journey.settings import Settings
from tests.api.conftest import AUTH, Api
from tests.support.journey import Journeys
from tests.support.servers import free_port


@asynccontextmanager
async def served(world: Journeys) -> AsyncIterator[tuple[str, DrainingServer, asyncio.Task[None]]]:
    app = create_app(
        Settings(event_store="memory", key_store="memory"), platform=world.platform, auth=AUTH
    )
    port = free_port()
    server = server_for(app, host="127.0.0.1", port=port, log_level="warning")
    task = asyncio.ensure_future(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", server, task
    finally:
        server.should_exit = True
        async with asyncio.timeout(15):
            await task


async def events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Parse a text/event-stream into {"id", "data"} events (comments come as {"comment"})."""
    event: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line == "":
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            event[name] = json.loads(value) if name == "data" else value


async def take(stream: AsyncIterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    taken = []
    async with asyncio.timeout(10):
        async for event in stream:
            if "data" in event:
                taken.append(event)
                if len(taken) == count:
                    break
    return taken


async def first_of(stream: AsyncIterator[dict[str, Any]], kind: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        async for event in stream:
            if event.get("data", {}).get("type") == kind:
                return event
    raise AssertionError(f"the stream ended before {kind}")


async def test_the_stream_sends_the_timeline_with_log_positions_and_then_what_happens(
    api: Api, world: Journeys, alice: Person
) -> None:
    await api.apply(alice, "app-s")
    await api.status_becomes("app-s", "offered")
    stored = (await world.journey("app-s"))["timeline"]
    async with served(world) as (base, _, _), httpx.AsyncClient(base_url=base) as client:
        headers = api.customer(alice)
        async with client.stream("GET", "/applications/app-s/events", headers=headers) as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            assert answer.headers["cache-control"] == "no-cache"
            stream = events(answer)
            history = await take(stream, len(stored))
            assert [e["data"]["what"] for e in history] == [entry["what"] for entry in stored]
            positions = [int(e["id"]) for e in history]
            assert positions == sorted(positions)
            assert all(e["data"]["position"] == int(e["id"]) for e in history)
            assert history[-1]["data"]["status"] == "offered"

            text = agreement()
            accepted = await client.post(
                "/applications/app-s/acceptance",
                headers=headers,
                json={"text_version": text.version, "text_hash": text.sha256},
            )
            assert accepted.status_code == 202
            live = await first_of(stream, "AgreementAccepted")
            assert live["data"]["status"] == "accepted"
            assert int(live["id"]) > positions[-1]


async def test_a_client_resuming_with_last_event_id_gets_only_what_came_after(
    api: Api, world: Journeys, alice: Person
) -> None:
    await api.apply(alice, "app-r")
    await api.status_becomes("app-r", "offered")
    async with served(world) as (base, _, _), httpx.AsyncClient(base_url=base) as client:
        headers = api.customer(alice)
        async with client.stream("GET", "/applications/app-r/events", headers=headers) as answer:
            every = await take(events(answer), 4)
        resume = {**headers, "Last-Event-ID": every[1]["id"]}
        async with client.stream("GET", "/applications/app-r/events", headers=resume) as answer:
            resumed = await take(events(answer), 2)
        assert [e["id"] for e in resumed] == [e["id"] for e in every[2:4]]


async def test_the_stream_is_only_for_the_owner_and_staff(
    api: Api, world: Journeys, alice: Person, bob: Person
) -> None:
    await api.apply(alice, "app-p")
    async with served(world) as (base, _, _), httpx.AsyncClient(base_url=base) as client:
        stranger = await client.get("/applications/app-p/events", headers=api.customer(bob))
        nobody = await client.get("/applications/app-p/events")
        missing = await client.get("/applications/app-none/events", headers=api.operator)
        async with client.stream(
            "GET", "/applications/app-p/events", headers=api.analyst
        ) as answer:
            assert answer.status_code == 200
            assert (await take(events(answer), 1))[0]["data"]["type"] == "ApplicationSubmitted"
    assert stranger.status_code == missing.status_code == 404
    assert nobody.status_code == 401


async def test_the_stream_ends_when_the_client_goes_away(
    api: Api, world: Journeys, alice: Person
) -> None:
    await api.apply(alice, "app-d")
    async with served(world) as (base, _server, _), httpx.AsyncClient(base_url=base) as client:
        async with client.stream(
            "GET", "/applications/app-d/events", headers=api.customer(alice)
        ) as answer:
            await take(events(answer), 1)
        # The server notices within a couple of seconds and finishes the response.
        metrics = (
            'journey_http_requests_total{method="GET",'
            'route="/applications/{application_id}/events",status="200"}'
        )

        async def stream_ended() -> bool:
            return metrics in (await client.get("/metrics")).text

        await api.until(stream_ended, seconds=10)


async def test_the_stream_ends_cleanly_when_the_server_shuts_down(
    api: Api, world: Journeys, alice: Person
) -> None:
    await api.apply(alice, "app-x")
    async with served(world) as (base, server, task), httpx.AsyncClient(base_url=base) as client:
        async with client.stream(
            "GET", "/applications/app-x/events", headers=api.customer(alice)
        ) as answer:
            stream = events(answer)
            await take(stream, 1)
            server.should_exit = True
            async with asyncio.timeout(10):
                async for _ in stream:  # drains to the end: the server closed the stream
                    pass
        async with asyncio.timeout(10):
            await task


async def entries_of(timeline: JourneyTimeline) -> list[tuple[int, dict[str, Any]]]:
    assert await timeline.open()
    found = []
    while batch := await timeline.next_entries():
        found.extend((entry.position, entry.entry) for entry in batch)
    return found


async def test_the_stream_starts_from_the_stored_journey_and_reads_only_the_log_past_it(
    api: Api, alice: Person
) -> None:
    await api.apply(alice, "app-sse-stored")
    await api.status_becomes("app-sse-stored", "offered")
    kernel = api.world.kernel
    await kernel.settle()
    checkpoint = await kernel.storage.get_checkpoint("journey_status")
    reads: list[int] = []
    read_all = kernel.storage.read_all

    async def counted(*, after_position: int, **rest: Any) -> Any:
        reads.append(after_position)
        return await read_all(after_position=after_position, **rest)

    kernel.storage.read_all = counted  # type: ignore[method-assign]
    stored = await entries_of(JourneyTimeline(kernel, "app-sse-stored"))
    assert reads == [] or min(reads) >= checkpoint  # never from the application's first event

    # The same entries, position for position, as folding the log from the start gives (the
    # way a journey stored before entries had positions is streamed).
    document = await kernel.storage.get_document(JOURNEYS, "app-sse-stored")
    assert document is not None
    del document["position"]
    await kernel.storage.commit(
        Commit(documents=[PutDocument(JOURNEYS, "app-sse-stored", document)])
    )
    folded = await entries_of(JourneyTimeline(kernel, "app-sse-stored"))
    assert min(reads) < checkpoint  # this time it did fold the log
    assert stored == folded
    assert stored[0][1]["status"] == "submitted"
    assert stored[-1][1]["status"] == "offered"
