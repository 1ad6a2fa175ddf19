"""The journeys list for operators: filters, order and pages over the read model."""

from __future__ import annotations

from typing import Any

from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.model import Commit, PutDocument
from journey.onboarding.queries import ListJourneys, list_journeys
from journey.onboarding.read_models import JOURNEYS


def journey(number: int, status: str, stuck: str | None) -> dict[str, Any]:
    return {
        "application_id": f"app-{number}",
        "status": status,
        "stuck": stuck,
        "done": False,
        "updated_at": f"2026-05-01T10:{number:02d}:00+00:00",
        "timeline": [{"type": "ApplicationSubmitted"}, {"type": "ApplicationScreened"}],
    }


async def operators_view() -> ReadModels:
    storage = MemoryStorage()
    journeys = [
        journey(1, "offered", None),
        journey(2, "referred", "referral undecided for 2 days"),
        journey(3, "personalizing", "personalization failed 4 times"),
        journey(4, "referred", None),
        journey(5, "referred", "referral undecided for 2 days"),
    ]
    await storage.commit(
        Commit(documents=[PutDocument(JOURNEYS, j["application_id"], j) for j in journeys])
    )
    return ReadModels(storage)


async def test_the_stuck_filter_lists_whole_stuck_journeys_newest_first_a_page_at_a_time() -> None:
    reads = await operators_view()
    stuck = await list_journeys(ListJourneys(stuck_only=True), reads)
    assert [j["application_id"] for j in stuck] == ["app-5", "app-3", "app-2"]
    assert stuck[0] == journey(5, "referred", "referral undecided for 2 days")  # whole documents
    second = await list_journeys(ListJourneys(stuck_only=True, limit=2, offset=1), reads)
    assert [j["application_id"] for j in second] == ["app-3", "app-2"]


async def test_the_stuck_filter_combines_with_the_status_filter() -> None:
    reads = await operators_view()
    stuck_referrals = await list_journeys(ListJourneys(status="referred", stuck_only=True), reads)
    assert [j["application_id"] for j in stuck_referrals] == ["app-5", "app-2"]
    every_referral = await list_journeys(ListJourneys(status="referred"), reads)
    assert [j["application_id"] for j in every_referral] == ["app-5", "app-4", "app-2"]
