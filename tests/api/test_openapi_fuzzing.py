"""Property-based requests generated from the OpenAPI contract (schemathesis), as operator,
analyst and customer: whatever they send, the API never answers 5xx, and every answer is one the
contract documents (its status, its media type, its body's schema)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from journey.entrypoints.api.app import create_app
from journey.entrypoints.api.auth import Tokens
from journey.entrypoints.api.server import server_for
from journey.settings import Settings
from tests.api.conftest import AUTH
from tests.support.journey import journeys
from tests.support.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


class ServedPlatform:
    """The test platform behind a real server, on a thread with its own event loop (the
    fuzzer's client is synchronous)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        world = await journeys()
        await world.apply("app-fuzz")  # something to find
        app = create_app(
            Settings(event_store="memory", key_store="memory"), platform=world.platform, auth=AUTH
        )
        server = server_for(app, host="127.0.0.1", port=self.port, log_level="warning")
        serving = asyncio.ensure_future(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        self._stop = asyncio.Event()
        self._started.set()
        await self._stop.wait()
        server.should_exit = True
        await serving
        await world.close()

    def __enter__(self) -> ServedPlatform:
        self._thread.start()
        assert self._started.wait(30), "the server did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def served() -> Iterator[ServedPlatform]:
    with ServedPlatform() as running:
        yield running


TOKENS = Tokens(AUTH)


def bearer(role: str, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS.issue(subject, [role])}"}


CALLERS = (
    bearer("operator", "olga"),
    bearer("analyst", "ana"),
    bearer("customer", "subj-" + "1" * 32),
    {},
)
SKIPPED = ("/metrics", "/events")  # a scrape, and a stream that never ends by itself
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_no_request_makes_the_api_fail_and_every_answer_is_in_the_contract(
    served: ServedPlatform,
) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base_url}/openapi.json")
    checked = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        if operation.path.endswith(SKIPPED):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def no_server_error(case: Any) -> None:
            if case.query:
                case.query.pop("wait_for", None)  # a far position waits 5 s: tested elsewhere
            for headers in CALLERS:
                response = case.call(base_url=served.base_url, headers=headers, timeout=15)
                case.validate_response(response, checks=CHECKS)

        no_server_error()
        checked += 1
    assert checked >= 25  # every operation of the contract was exercised
