"""Queries over the journey's read models (named Get…/List…, read-only)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.errors import NotFound
from journey.cqrs.messages import Query
from journey.onboarding.read_models import JOURNEYS, REVIEW_QUEUE

Document = dict[str, Any]


class GetJourney(Query[Document]):
    application_id: str


class ListJourneys(Query[list[Document]]):
    status: str | None = None
    stuck_only: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class ListReviewQueue(Query[list[Document]]):
    limit: int = Field(100, ge=1, le=500)


class ListCustomerJourneys(Query[list[Document]]):
    customer_id: str


async def get_journey(query: GetJourney, reads: ReadModels) -> Document:
    found = await reads.get(JOURNEYS, query.application_id)
    if found is None:
        raise NotFound(f"no journey for application {query.application_id}")
    return found


async def list_journeys(query: ListJourneys, reads: ReadModels) -> list[Document]:
    where: dict[str, str | bool | None] = {}
    if query.status is not None:
        where["status"] = query.status
    if query.stuck_only:
        # `stuck` holds a reason or nothing, which an equality filter cannot ask for: scan the
        # latest journeys' ids and reasons only (not their timelines), then read the page whole.
        marks = await reads.find(
            JOURNEYS,
            where=where,
            order_by="updated_at",
            descending=True,
            limit=10_000,
            fields=("application_id", "stuck"),
        )
        stuck = [str(mark["application_id"]) for mark in marks if mark.get("stuck")]
        wanted = stuck[query.offset : query.offset + query.limit]
        page = [await reads.get(JOURNEYS, key) for key in wanted]
        return [journey for journey in page if journey is not None]
    return await reads.find(
        JOURNEYS,
        where=where,
        order_by="updated_at",
        descending=True,
        limit=query.limit,
        offset=query.offset,
    )


async def list_review_queue(query: ListReviewQueue, reads: ReadModels) -> list[Document]:
    return await reads.find(REVIEW_QUEUE, order_by="referred_at", limit=query.limit)


async def list_customer_journeys(query: ListCustomerJourneys, reads: ReadModels) -> list[Document]:
    return await reads.find(
        JOURNEYS, where={"customer_id": query.customer_id}, order_by="created_at"
    )
