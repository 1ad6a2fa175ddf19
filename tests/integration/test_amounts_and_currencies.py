"""Amounts name their currency in the log, fees move in minor units, and events written before
either was true are read as if they had been."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from journey.command_side.issuance.events import AccountOpened, ApplicationApproved, OfferMade
from journey.command_side.payments.service import FeeCharged, FeeRefunded, Payment, RefundFee
from journey.cqrs.ids import new_id
from journey.cqrs.records import NewEvent
from journey.cqrs.store.model import ANY_VERSION
from tests.support.journey import Journeys, journeys


def as_v1(event_type: str, data: dict[str, Any]) -> NewEvent:
    """An event as the code before amounts named their currency wrote it."""
    return NewEvent(
        event_id=new_id(),
        event_type=event_type,
        schema_version=1,
        data=orjson.dumps(data).decode(),
        time=datetime(2026, 1, 5, tzinfo=UTC),
        correlation_id="written-by-older-code",
    )


async def stored_then_read(world: Journeys, stream: str, record: NewEvent) -> Any:
    await world.kernel.storage.append(stream, ANY_VERSION, [record])
    (stored,) = await world.kernel.storage.read_stream(stream)
    return (await world.kernel.codec.decode(stored)).event


async def test_every_older_shape_of_a_platform_event_has_a_way_to_the_current_one() -> None:
    world = await journeys()
    try:
        assert world.kernel.registry.missing_upcasters() == []
    finally:
        await world.close()


async def test_approvals_offers_and_accounts_from_before_currencies_read_as_dollars() -> None:
    world = await journeys()
    terms = {"application_id": "app-old", "credit_limit": 4000, "annual_fee": 60, "apr_bps": 2499}
    try:
        approved = await stored_then_read(
            world,
            "application-app-old",
            as_v1("ApplicationApproved", {**terms, "risk_tier": "B"}),
        )
        offered = await stored_then_read(
            world,
            "application-app-old-offer",
            as_v1(
                "OfferMade",
                {
                    **terms,
                    "product_code": "GOLD",
                    "design_code": "gold-sun",
                    "expires_at": "2026-01-12T00:00:00+00:00",
                    "agreement_text_version": "credit-card-2026-01",
                    "agreement_text_hash": "0" * 64,
                },
            ),
        )
        opened = await stored_then_read(
            world,
            "account-acc-old",
            as_v1(
                "AccountOpened",
                {
                    "account_id": "acc-old",
                    "application_id": "app-old",
                    "customer_id": "CL:1-9",
                    "product_code": "GOLD",
                    "credit_limit": 4000,
                },
            ),
        )
    finally:
        await world.close()
    assert isinstance(approved, ApplicationApproved)
    assert (approved.annual_fee, approved.currency) == (60, "USD")
    assert isinstance(offered, OfferMade)
    assert (offered.credit_limit, offered.currency) == (4000, "USD")
    assert isinstance(opened, AccountOpened)
    assert (opened.credit_limit, opened.currency) == (4000, "USD")


async def test_a_fee_charged_by_older_code_is_refunded_in_cents_of_its_dollars() -> None:
    world = await journeys()
    try:
        charged = await stored_then_read(
            world,
            Payment.stream_id_for("app-old-fee"),
            as_v1(
                "FeeCharged",
                {
                    "payment_id": "app-old-fee",
                    "application_id": "app-old",
                    "account_id": "acc-old",
                    "amount": 60,  # whole dollars, as the saga sent them then
                    "reason": "annual fee",
                    "reference": "ch-app-old-fee",
                },
            ),
        )
        assert isinstance(charged, FeeCharged)
        assert (charged.amount_minor, charged.currency) == (6000, "USD")
        world.payments.charges["app-old-fee"] = (6000, "USD")  # what the processor took then
        result = await world.kernel.commands.send(
            RefundFee(payment_id="app-old-fee", reason="withdrawn")
        )
        assert result.value == {"refunded": 6000, "currency": "USD"}
        (refund,) = await world.decoded("FeeRefunded")
    finally:
        await world.close()
    assert isinstance(refund, FeeRefunded)
    assert (refund.amount_minor, refund.currency, refund.reason) == (6000, "USD", "withdrawn")
    assert world.payments.refunds == {"app-old-fee": (6000, "USD")}
