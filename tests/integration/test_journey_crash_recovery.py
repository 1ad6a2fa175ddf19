"""A journey whose process is killed (SIGKILL, no clean-up) at its riskiest moments resumes in a
new process and ends exactly as an uninterrupted one: one card, one fee, one email per
milestone, the same stock."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from journey.command_side.notifications import SmtpSink
from journey.cqrs.store.sqlite import SqliteStorage
from journey.onboarding.read_models import JOURNEYS
from tests.integration.programs.journey_worker import APPLICATION

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COUNTED = (
    "CardIssued",
    "PlasticReserved",
    "PlasticConsumed",
    "FeeCharged",
    "PersonalizationOrdered",
    "CardPersonalized",
    "CardRfTestPassed",
    "ShipmentCreated",
    "ShipmentDelivered",
    "CardActivated",
    "CustomerRecordsUpdated",
    "NotificationQueued",
    "NotificationSent",
)


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink(port=0) as running:
        yield running


async def run_worker(directory: Path, port: int, crash: str | None = None) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.programs.journey_worker",
        str(directory),
        str(port),
        *([crash] if crash else []),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "JOURNEY_LOG_LEVEL": "warning"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    code = process.returncode
    assert code is not None
    if code not in (0, -signal.SIGKILL):
        raise AssertionError(stderr.decode()[-3000:])
    return code


async def end_state(directory: Path, sink: SmtpSink) -> dict[str, Any]:
    storage = await SqliteStorage(directory / "events.db").open()
    try:
        counts: Counter[str] = Counter()
        position = 0
        while page := await storage.read_all(after_position=position, event_types=COUNTED):
            counts.update(stored.event_type for stored in page)
            position = page[-1].position
        journey = await storage.get_document(JOURNEYS, APPLICATION)
        assert journey is not None
        stock = await storage.get_document("stock_levels", "gold-sun")
        assert stock is not None
    finally:
        await storage.close()
    charges = (directory / "charges.txt").read_text().split()
    return {
        "status": journey["status"],
        "done": journey["done"],
        "events": dict(counts),
        "stock": {k: stock[k] for k in ("available", "reserved", "consumed", "spoiled")},
        "charges": charges,
        "emails": Counter(
            mail.header("X-Journey-Milestone") or "" for mail in sink.mailbox.messages(500)
        ),
    }


@pytest.fixture
async def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same journey, never interrupted."""
    directory = tmp_path_factory.mktemp("reference")
    async with SmtpSink(port=0) as own_sink:
        assert await run_worker(directory, own_sink.port) == 0
        return await end_state(directory, own_sink)


@pytest.mark.parametrize(
    "crash",
    # Just after the money moved, just after the pivot, just after an email left: the moments
    # where a resumed process could do something twice. (Dying before a command commits
    # nothing, which the kernel's own crash tests cover.)
    ["after:ChargeFee", "after:OrderPersonalization", "after:DeliverNotification"],
)
async def test_a_journey_killed_mid_way_resumes_to_the_same_end_state(
    crash: str, tmp_path: Path, sink: SmtpSink, reference: dict[str, Any]
) -> None:
    assert await run_worker(tmp_path, sink.port, crash) == -signal.SIGKILL
    assert await run_worker(tmp_path, sink.port) == 0
    resumed = await end_state(tmp_path, sink)
    assert resumed["status"] == "active"
    assert resumed["done"]
    assert resumed == reference
