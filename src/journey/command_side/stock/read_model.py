"""The `stock_levels` read model: one document per design, and the queries that read it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from journey.command_side.stock.events import (
    LowStockReached,
    PlasticConsumed,
    PlasticReleased,
    PlasticReserved,
    PlasticSpoiled,
    PlasticsReceived,
    ReorderPointSet,
)
from journey.command_side.stock.stock import StockCounts
from journey.cqrs.bus.query_bus import ReadModels
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event, Query
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope

STOCK_LEVELS = "stock_levels"
_COUNT_FIELDS = ("received", "on_hand", "reserved", "consumed", "spoiled")
_STOCK_EVENTS = (
    ReorderPointSet,
    PlasticsReceived,
    PlasticReserved,
    PlasticConsumed,
    PlasticReleased,
    PlasticSpoiled,
    LowStockReached,
)


class StockLevelsProjection(Projection):
    """Keeps one document per design with its counts, reorder point and low flag."""

    name = STOCK_LEVELS
    collections = (STOCK_LEVELS,)
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        cls.event_type for cls in _STOCK_EVENTS
    )

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        assert isinstance(event, _STOCK_EVENTS)
        design_code = event.design_code
        document = await tx.get(STOCK_LEVELS, design_code) or _empty(design_code)
        counts = StockCounts(**{name: document[name] for name in _COUNT_FIELDS}).after(event)
        document.update(counts.as_dict())
        match event:
            case ReorderPointSet(reorder_point=point):
                document["reorder_point"] = point
            case LowStockReached():
                document["low_reported_at"] = envelope.time.isoformat()
        point = document["reorder_point"]
        document["low"] = point is not None and counts.available <= point
        document["updated_at"] = envelope.time.isoformat()
        tx.put(STOCK_LEVELS, design_code, document)


def _empty(design_code: str) -> dict[str, Any]:
    return {
        "design_code": design_code,
        **StockCounts().as_dict(),
        "reorder_point": None,
        "low": False,
        "low_reported_at": None,
        "updated_at": None,
    }


class StockLevel(BaseModel):
    """The stock of one design as the read model knows it."""

    model_config = ConfigDict(frozen=True)

    design_code: str
    received: int
    on_hand: int
    reserved: int
    available: int
    consumed: int
    spoiled: int
    reorder_point: int | None
    low: bool  # available is at or below the reorder point
    low_reported_at: str | None  # when LowStockReached was last recorded
    updated_at: str | None


class GetStockLevel(Query[StockLevel | None]):
    """One design's stock (None when it was never stocked)."""

    design_code: str


class ListStockLevels(Query[list[StockLevel]]):
    """Every design's stock, by design code; only those at or below their reorder point when
    `low_only`."""

    low_only: bool = False


async def get_stock_level(query: GetStockLevel, read_models: ReadModels) -> StockLevel | None:
    document = await read_models.get(STOCK_LEVELS, query.design_code)
    return None if document is None else StockLevel.model_validate(document)


async def list_stock_levels(query: ListStockLevels, read_models: ReadModels) -> list[StockLevel]:
    where = {"low": True} if query.low_only else None
    documents = await read_models.find(
        STOCK_LEVELS, where=where, order_by="design_code", limit=10_000
    )
    return [StockLevel.model_validate(document) for document in documents]
