"""What the plastics stock records. Nothing here is personal data: cards and applications are
named by id only."""

from __future__ import annotations

from typing import Literal

from journey.cqrs.messages import Event

SpoiledFrom = Literal["reserved", "consumed"]


class ReorderPointSet(Event):
    """The level of available plastics at or below which the design should be reordered."""

    design_code: str
    reorder_point: int


class PlasticsReceived(Event):
    """A batch of blank plastics entered the vault; serials `first_serial`..`last_serial`."""

    design_code: str
    batch_ref: str
    quantity: int
    first_serial: str
    last_serial: str


class PlasticReserved(Event):
    """One physical plastic (its serial) was set aside for a card."""

    design_code: str
    card_id: str
    application_id: str
    plastic_serial: str


class PlasticConsumed(Event):
    """The reserved plastic left the vault into personalization: it is the card now."""

    design_code: str
    card_id: str
    application_id: str
    plastic_serial: str


class PlasticReleased(Event):
    """A reservation was undone (compensation); the plastic is back in the available pool."""

    design_code: str
    card_id: str
    application_id: str
    plastic_serial: str
    reason: str


class PlasticSpoiled(Event):
    """The plastic is waste (misprint, failed RF test). `spoiled_from` says whether it was still
    reserved in the vault or had already been consumed into personalization."""

    design_code: str
    card_id: str
    application_id: str
    plastic_serial: str
    reason: str
    spoiled_from: SpoiledFrom


class PlasticRetired(Event):
    """The card this plastic became is active with its customer: nothing more can happen to the
    plastic that the stock answers for, so the stock stops remembering it. Counts unchanged."""

    design_code: str
    card_id: str
    application_id: str
    plastic_serial: str


class LowStockReached(Event):
    """Available plastics fell to the reorder point: time to order more of this design."""

    design_code: str
    available: int
    reorder_point: int


STOCK_EVENTS: tuple[type[Event], ...] = (
    ReorderPointSet,
    PlasticsReceived,
    PlasticReserved,
    PlasticConsumed,
    PlasticReleased,
    PlasticSpoiled,
    PlasticRetired,
    LowStockReached,
)
