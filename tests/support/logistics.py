"""Shared bits for the logistics tests: an address, a shipment command, a recording carrier."""

from __future__ import annotations

from journey.command_side.logistics import (
    Booking,
    BookingRequest,
    CarrierBehaviour,
    CreateShipment,
    ShippingAddress,
    SimulatedCarrier,
)

ADDRESS = ShippingAddress(
    line1="Calle Reforma 222",
    line2="Piso 3",
    city="Ciudad de México",
    region="CDMX",
    postal_code="06600",
    country="MX",
)
RECIPIENT = "Ana Gómez Ruiz"
PHONE = "+52 55 5555 0101"
SECRET = b"test-webhook-secret-0123456789"


def create_shipment(shipment_id: str = "s1", **overrides: object) -> CreateShipment:
    fields: dict[str, object] = {
        "shipment_id": shipment_id,
        "application_id": f"app-{shipment_id}",
        "card_id": f"card-{shipment_id}",
        "customer_id": f"subj-{shipment_id}",
        "recipient": RECIPIENT,
        "phone": PHONE,
        "address": ADDRESS,
    }
    fields.update(overrides)
    return CreateShipment.model_validate(fields)


class RecordingCarrier(SimulatedCarrier):
    """The simulated carrier, counting the bookings it was asked for."""

    def __init__(self, behaviour: CarrierBehaviour | None = None) -> None:
        super().__init__(behaviour)
        self.requests: list[BookingRequest] = []

    async def book(self, request: BookingRequest) -> Booking:
        self.requests.append(request)
        return await super().book(request)
