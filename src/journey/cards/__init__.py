"""The card lifecycle: the events other parts of the journey react to once a card exists."""

from journey.cards.events import CardPersonalized

__all__ = ["CardPersonalized"]
