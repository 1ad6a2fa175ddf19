"""Card-lifecycle events shared between the command side and the test bench.

The command side (issuance, personalization) owns these and will extend them; the test bench
only consumes `CardPersonalized` to know that a plastic is ready for its RF test.
"""

from __future__ import annotations

from journey.cqrs.messages import Event


class CardPersonalized(Event):
    """The bureau personalized the plastic: chip loaded, embossed, ready for quality checks.

    `plastic_serial` is what is printed on the plastic; a card handler on the RF test station
    identifies the physical card by it.
    """

    card_id: str
    account_id: str
    application_id: str
    design_code: str
    plastic_serial: str
