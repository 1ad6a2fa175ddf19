"""Plastics stock per card design: receive, reserve, consume, release, spoil, retire; low-stock
alerts; the `stock_levels` read model. See docs/journey.md ("Stock")."""

from journey.command_side.stock.commands import (
    ConsumePlastic,
    ReceivePlastics,
    ReleasePlastic,
    ReservePlastic,
    RetirePlastic,
    SetReorderPoint,
    SpoilPlastic,
)
from journey.command_side.stock.events import (
    STOCK_EVENTS,
    LowStockReached,
    PlasticConsumed,
    PlasticReleased,
    PlasticReserved,
    PlasticRetired,
    PlasticSpoiled,
    PlasticsReceived,
    ReorderPointSet,
)
from journey.command_side.stock.module import (
    StockSettings,
    seed_commands,
    seed_stock,
    stock_module,
)
from journey.command_side.stock.read_model import (
    STOCK_LEVELS,
    GetStockLevel,
    ListStockLevels,
    StockLevel,
    StockLevelsProjection,
)
from journey.command_side.stock.stock import (
    DEFAULT_REORDER_POINT,
    OutOfStock,
    PlasticStock,
    StockCounts,
    parse_serial,
    plastic_serial,
)

__all__ = [
    "ConsumePlastic",
    "ReceivePlastics",
    "ReleasePlastic",
    "ReservePlastic",
    "RetirePlastic",
    "SetReorderPoint",
    "SpoilPlastic",
    "STOCK_EVENTS",
    "LowStockReached",
    "PlasticConsumed",
    "PlasticReleased",
    "PlasticReserved",
    "PlasticRetired",
    "PlasticsReceived",
    "PlasticSpoiled",
    "ReorderPointSet",
    "StockSettings",
    "seed_commands",
    "seed_stock",
    "stock_module",
    "STOCK_LEVELS",
    "GetStockLevel",
    "ListStockLevels",
    "StockLevel",
    "StockLevelsProjection",
    "DEFAULT_REORDER_POINT",
    "OutOfStock",
    "PlasticStock",
    "StockCounts",
    "parse_serial",
    "plastic_serial",
]
