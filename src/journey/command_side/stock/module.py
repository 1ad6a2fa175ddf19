"""The stock service as a kernel module, its settings, and the seed stock demos start from."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from journey.catalog import Catalog, default_catalog
from journey.command_side.stock.commands import ReceivePlastics
from journey.command_side.stock.events import STOCK_EVENTS
from journey.command_side.stock.handlers import StockHandlers
from journey.command_side.stock.read_model import (
    GetStockLevel,
    ListStockLevels,
    StockLevelsProjection,
    get_stock_level,
    list_stock_levels,
)
from journey.command_side.stock.stock import DEFAULT_REORDER_POINT
from journey.cqrs.bus.command_bus import CommandBus, CommandResult
from journey.cqrs.module import Module


class StockSettings(BaseSettings):
    """Reorder points and seed quantities (env prefix `JOURNEY_STOCK_`).

    A design's reorder point is taken from here when its first batch arrives and recorded in its
    stream; later changes go through `SetReorderPoint`, so the log says when and why it moved.
    """

    model_config = SettingsConfigDict(env_prefix="JOURNEY_STOCK_", extra="ignore")

    default_reorder_point: int = Field(DEFAULT_REORDER_POINT, ge=0)
    reorder_points: dict[str, int] = Field(
        default_factory=dict, description='per design, e.g. {"gold-sun": 50} (JSON in the env)'
    )
    seed_quantity: int = Field(200, gt=0, description="plastics per design in the seed batch")
    seed_batch_ref: str = Field("SEED1", pattern=r"^[A-Za-z0-9_.]+$")


def stock_module(
    settings: StockSettings | None = None, *, catalog: Catalog | None = None
) -> Module:
    """Plastics inventory per card design: commands, events, the `stock_levels` read model and
    its queries. Only the catalog's designs can be received."""
    settings = settings or StockSettings()
    catalog = catalog or default_catalog()
    handlers = StockHandlers(
        known_designs=frozenset(design.code for design in catalog.designs),
        default_reorder_point=settings.default_reorder_point,
        reorder_points=settings.reorder_points,
    )
    return Module(
        name="stock",
        events=STOCK_EVENTS,
        commands=handlers.handlers(),
        queries={GetStockLevel: get_stock_level, ListStockLevels: list_stock_levels},
        projections=[StockLevelsProjection()],
    )


def seed_commands(
    designs: Iterable[str], *, quantity: int, batch_ref: str
) -> list[ReceivePlastics]:
    """One initial batch per design."""
    return [
        ReceivePlastics(design_code=design, quantity=quantity, batch_ref=batch_ref)
        for design in designs
    ]


async def seed_stock(
    commands: CommandBus,
    *,
    catalog: Catalog | None = None,
    settings: StockSettings | None = None,
) -> list[CommandResult]:
    """Receive the seed batch of every catalog design (demos, `journey serve`). Running it again
    changes nothing: receipts are idempotent for their batch ref."""
    settings = settings or StockSettings()
    catalog = catalog or default_catalog()
    return [
        await commands.send(command)
        for command in seed_commands(
            (design.code for design in catalog.designs),
            quantity=settings.seed_quantity,
            batch_ref=settings.seed_batch_ref,
        )
    ]
