"""Stock commands. Each is idempotent for the key its docstring names (the saga may deliver a
command more than once)."""

from __future__ import annotations

from pydantic import Field

from journey.cqrs.messages import Command

DESIGN_CODE = r"^[a-z0-9][a-z0-9-]*$"
BATCH_REF = r"^[A-Za-z0-9_.]+$"  # no '-', so a serial splits back into design, batch, number


class ReceivePlastics(Command):
    """A delivery of blank plastics for one design. Idempotent for `batch_ref`."""

    design_code: str = Field(min_length=1, max_length=40, pattern=DESIGN_CODE)
    quantity: int = Field(gt=0, le=1_000_000)
    batch_ref: str = Field(min_length=1, max_length=40, pattern=BATCH_REF)


class ReservePlastic(Command):
    """Set one plastic aside for a card. Idempotent for `card_id` (answers the same serial)."""

    design_code: str = Field(min_length=1, max_length=40)
    card_id: str = Field(min_length=1, max_length=64)
    application_id: str = Field(min_length=1, max_length=64)


class ConsumePlastic(Command):
    """The card's plastic goes into personalization. Idempotent for `card_id`."""

    design_code: str = Field(min_length=1, max_length=40)
    card_id: str = Field(min_length=1, max_length=64)


class ReleasePlastic(Command):
    """Undo a reservation (compensation); nothing if the card holds no reserved plastic.
    Idempotent for `card_id`."""

    design_code: str = Field(min_length=1, max_length=40)
    card_id: str = Field(min_length=1, max_length=64)
    reason: str = Field("released", min_length=1, max_length=200)


class SpoilPlastic(Command):
    """Write the card's plastic off (misprint, failed RF test). Idempotent for `card_id`."""

    design_code: str = Field(min_length=1, max_length=40)
    card_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)


class RetirePlastic(Command):
    """The card is active: the stock forgets its plastic (it remembers every card's until then,
    to answer repeats). Idempotent for `card_id`: nothing once forgotten."""

    design_code: str = Field(min_length=1, max_length=40)
    card_id: str = Field(min_length=1, max_length=64)


class SetReorderPoint(Command):
    """Change a design's reorder point (an operator's decision). Idempotent for its value."""

    design_code: str = Field(min_length=1, max_length=40, pattern=DESIGN_CODE)
    reorder_point: int = Field(ge=0, le=1_000_000)
