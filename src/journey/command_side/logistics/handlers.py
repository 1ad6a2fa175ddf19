"""Logistics handlers: book with the carrier, record the shipment, apply carrier updates."""

from __future__ import annotations

from typing import Any

from journey.command_side.logistics.carrier import BookingRequest, Carrier
from journey.command_side.logistics.commands import ApplyCarrierUpdate, CreateShipment
from journey.command_side.logistics.label import encode_pdf, make_label, render_label_pdf
from journey.command_side.logistics.shipment import Shipment, TrackingNumberClaim
from journey.cqrs.errors import NotFound, RuleViolation
from journey.cqrs.unit_of_work import UnitOfWork


class LogisticsHandlers:
    """The logistics command handlers, bound to a carrier."""

    def __init__(self, carrier: Carrier) -> None:
        self._carrier = carrier

    async def create_shipment(self, command: CreateShipment, uow: UnitOfWork) -> Any:
        known = await uow.find(Shipment, command.shipment_id)
        if known is not None:
            if not known.matches(command.application_id, command.card_id):
                raise RuleViolation(f"shipment {command.shipment_id} ships another card")
            return _summary(known)
        if command.recipient is None or command.address is None:
            raise RuleViolation("the recipient's name and address are missing (erased?)")
        # The carrier's booking is idempotent for the shipment id, so running this again after a
        # lost race or a crash books nothing twice.
        booking = await self._carrier.book(
            BookingRequest(
                shipment_id=command.shipment_id,
                service_level=command.service_level,
                recipient_name=command.recipient,
                phone=command.phone,
                address=command.address,
                requested_at=uow.clock.now(),
            )
        )
        claim = await uow.find(TrackingNumberClaim, booking.tracking_number)
        if claim is None:
            claim = TrackingNumberClaim(booking.tracking_number)
            uow.add(claim)
        claim.claim(command.shipment_id, booking.carrier)
        label = make_label(booking)
        pdf = render_label_pdf(
            label,
            recipient_name=command.recipient,
            address=command.address,
            phone=command.phone,
        )
        shipment = Shipment(command.shipment_id)
        shipment.create(
            application_id=command.application_id,
            card_id=command.card_id,
            customer_id=command.customer_id,
            recipient=command.recipient,
            phone=command.phone,
            address=command.address,
            label=label,
            label_pdf=encode_pdf(pdf),
            booked_at=booking.booked_at,
        )
        uow.add(shipment)
        # An in-process carrier has no server to post its webhooks from: its planned deliveries
        # become scheduled commands in this very commit, so a restart loses none of them.
        for number, delivery in enumerate(booking.deliveries, start=1):
            update = delivery.update
            await uow.schedule(
                ApplyCarrierUpdate(
                    tracking_number=update.tracking_number,
                    update_id=update.update_id,
                    status=update.status,
                    occurred_at=update.occurred_at,
                    detail=update.detail,
                ),
                at=delivery.deliver_at,
                message_id=f"carrier-webhook-{update.update_id}-{number}",
            )
        return _summary(shipment)

    async def apply_carrier_update(self, command: ApplyCarrierUpdate, uow: UnitOfWork) -> Any:
        claim = await uow.find(TrackingNumberClaim, command.tracking_number)
        if claim is None or claim.shipment_id is None:
            raise NotFound(f"no shipment has tracking number {command.tracking_number}")
        shipment = await uow.get(Shipment, claim.shipment_id)
        outcome = shipment.apply_carrier_update(
            command.update_id, command.status, command.occurred_at, command.detail
        )
        return {**_summary(shipment), "update_id": command.update_id, "outcome": outcome}

    def handlers(self) -> dict[type[Any], Any]:
        return {
            CreateShipment: self.create_shipment,
            ApplyCarrierUpdate: self.apply_carrier_update,
        }


def _summary(shipment: Shipment) -> dict[str, Any]:
    return {
        "shipment_id": shipment.id,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
    }
