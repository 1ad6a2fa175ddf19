"""Stock handlers: load the design's stock, decide, answer. The bus commits, and retries on a
fresh state when a concurrent journey won the race for the same design's stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journey.command_side.stock.commands import (
    ConsumePlastic,
    ReceivePlastics,
    ReleasePlastic,
    ReservePlastic,
    RetirePlastic,
    SetReorderPoint,
    SpoilPlastic,
)
from journey.command_side.stock.stock import (
    DEFAULT_REORDER_POINT,
    Assignment,
    OutOfStock,
    PlasticStock,
)
from journey.cqrs.errors import RuleViolation
from journey.cqrs.unit_of_work import UnitOfWork


class StockHandlers:
    """The stock's command handlers, with the reorder points configured for new designs."""

    def __init__(
        self,
        *,
        known_designs: frozenset[str] | None = None,
        default_reorder_point: int = DEFAULT_REORDER_POINT,
        reorder_points: Mapping[str, int] | None = None,
    ) -> None:
        self._known = known_designs
        self._default_reorder_point = default_reorder_point
        self._reorder_points = dict(reorder_points or {})

    def reorder_point_for(self, design_code: str) -> int:
        return self._reorder_points.get(design_code, self._default_reorder_point)

    async def receive(self, command: ReceivePlastics, uow: UnitOfWork) -> Any:
        if self._known is not None and command.design_code not in self._known:
            raise RuleViolation(f"{command.design_code} is not a card design of the catalog")
        stock = await _stock(uow, command.design_code)
        stock.receive(
            command.batch_ref,
            command.quantity,
            default_reorder_point=self.reorder_point_for(command.design_code),
        )
        return _levels(stock)

    async def set_reorder_point(self, command: SetReorderPoint, uow: UnitOfWork) -> Any:
        stock = await _stock(uow, command.design_code)
        stock.set_reorder_point(command.reorder_point)
        return _levels(stock)

    async def reserve(self, command: ReservePlastic, uow: UnitOfWork) -> Any:
        stock = await uow.find(PlasticStock, command.design_code)
        if stock is None:
            raise OutOfStock(command.design_code)  # never stocked: nothing to reserve
        held = stock.reserve(command.card_id, command.application_id)
        return _answer(stock, command.card_id, held)

    async def consume(self, command: ConsumePlastic, uow: UnitOfWork) -> Any:
        stock = await _existing(uow, command.design_code)
        return _answer(stock, command.card_id, stock.consume(command.card_id))

    async def release(self, command: ReleasePlastic, uow: UnitOfWork) -> Any:
        stock = await uow.find(PlasticStock, command.design_code)
        if stock is None:
            return {"design_code": command.design_code, "card_id": command.card_id, "state": None}
        return _answer(stock, command.card_id, stock.release(command.card_id, command.reason))

    async def spoil(self, command: SpoilPlastic, uow: UnitOfWork) -> Any:
        stock = await _existing(uow, command.design_code)
        return _answer(stock, command.card_id, stock.spoil(command.card_id, command.reason))

    async def retire(self, command: RetirePlastic, uow: UnitOfWork) -> Any:
        stock = await _existing(uow, command.design_code)
        return _answer(stock, command.card_id, stock.retire(command.card_id))

    def handlers(self) -> dict[type[Any], Any]:
        return {
            ReceivePlastics: self.receive,
            SetReorderPoint: self.set_reorder_point,
            ReservePlastic: self.reserve,
            ConsumePlastic: self.consume,
            ReleasePlastic: self.release,
            SpoilPlastic: self.spoil,
            RetirePlastic: self.retire,
        }


async def _stock(uow: UnitOfWork, design_code: str) -> PlasticStock:
    stock = await uow.find(PlasticStock, design_code)
    if stock is None:
        stock = PlasticStock(design_code)
        uow.add(stock)  # a new stream: a concurrent creator makes this commit conflict and retry
    return stock


async def _existing(uow: UnitOfWork, design_code: str) -> PlasticStock:
    stock = await uow.find(PlasticStock, design_code)
    if stock is None:
        raise RuleViolation(f"there is no stock of {design_code}")
    return stock


def _levels(stock: PlasticStock) -> dict[str, Any]:
    return {
        "design_code": stock.design_code,
        **stock.counts.as_dict(),
        "reorder_point": stock.reorder_point,
    }


def _answer(stock: PlasticStock, card_id: str, held: Assignment | None) -> dict[str, Any]:
    return {
        "design_code": stock.design_code,
        "card_id": card_id,
        "plastic_serial": None if held is None else held.serial,
        "state": None if held is None else held.state.value,
        "available": stock.counts.available,
    }
