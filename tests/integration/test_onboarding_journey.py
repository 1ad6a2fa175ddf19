"""The onboarding journey end to end: every service on one kernel, a manual clock, the saga
carrying each application to an active card, or undoing what was done when a step fails."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from journey.command_side.issuance.commands import DecideReferral, WithdrawApplication
from journey.command_side.logistics import CarrierBehaviour
from journey.command_side.stock import GetStockLevel
from journey.cqrs.errors import RuleViolation
from journey.onboarding.queries import ListReviewQueue
from journey.onboarding.saga import Deadlines
from journey.query_side.population import default_population
from tests.support.journey import Journeys, journeys, person


@pytest.fixture
async def world() -> AsyncIterator[Journeys]:
    harness = await journeys()
    yield harness
    await harness.close()


async def stock_of(world: Journeys, design: str) -> dict[str, int]:
    level = await world.kernel.queries.ask(GetStockLevel(design_code=design))
    assert level is not None
    return {
        "available": level.available,
        "reserved": level.reserved,
        "consumed": level.consumed,
        "spoiled": level.spoiled,
    }


def types_of(timeline: list[dict[str, str]]) -> list[str]:
    return [entry["type"] for entry in timeline]


async def test_a_creditworthy_customer_goes_from_application_to_an_active_card(
    world: Journeys,
) -> None:
    await world.apply("app-1")
    assert await world.run_until_status("app-1", "offered") == "offered"
    await world.accept("app-1")
    assert await world.run_until_status("app-1", "delivered") == "delivered"
    await world.activate("app-1")
    await world.run(days=1)

    journey = await world.journey("app-1")
    assert journey["status"] == "active"
    assert journey["done"]
    assert journey["stuck"] is None
    kinds = types_of(journey["timeline"])
    for expected in (
        "ApplicationApproved",
        "AgreementAccepted",
        "AccountOpened",
        "CardIssued",
        "PlasticReserved",
        "FeeCharged",
        "PersonalizationOrdered",
        "CardPersonalized",
        "CardRfTestPassed",
        "ShipmentCreated",
        "ShipmentDelivered",
        "CardActivated",
        "CustomerRecordsUpdated",
        "journey.saga.Completed",
    ):
        assert expected in kinds, expected
    assert journey["tracking_number"]
    lines = [entry["what"] for entry in journey["timeline"]]
    assert "customer notified: card_shipped by email" in lines
    assert "carrier: out for delivery" in lines
    # The pivot comes after everything that can be undone.
    assert kinds.index("FeeCharged") < kinds.index("PersonalizationOrdered")
    # The card is active: the stock forgot its plastic (the counts keep it as consumed, below).
    (retired,) = await world.decoded("PlasticRetired")
    assert (retired.card_id, retired.application_id) == ("app-1-c0", "app-1")
    assert await stock_of(world, "gold-sun") == {
        "available": 9,
        "reserved": 0,
        "consumed": 1,
        "spoiled": 0,
    }
    # GOLD's 60 USD fee, charged in cents as processors count it, and named so in the log.
    assert list(world.payments.charges.values()) == [(6000, "USD")]
    (fee,) = await world.decoded("FeeCharged")
    assert (fee.amount_minor, fee.currency) == (6000, "USD")
    (offer,) = await world.decoded("OfferMade")
    assert (offer.annual_fee, offer.currency) == (60, "USD")
    (account,) = await world.decoded("AccountOpened")
    assert (account.credit_limit, account.currency) == (offer.credit_limit, "USD")
    milestones = Counter(str(m["X-Journey-Milestone"]) for m in world.mailer.sent)
    assert milestones == {
        "application_received": 1,
        "offer_made": 1,
        "card_shipped": 1,
        "card_delivered": 1,
        "card_activated": 1,
    }
    (shipped,) = [m for m in world.mailer.sent if m["X-Journey-Milestone"] == "card_shipped"]
    (letter,) = list(shipped.iter_attachments())
    assert letter.get_content_type() == "application/pdf"
    assert letter.get_content().startswith(b"%PDF")
    assert journey["card_last4"] in shipped.get_body(("plain",)).get_content()


async def test_the_new_customer_is_in_the_crm_the_query_side_reads(world: Journeys) -> None:
    customer = person(country="MX", existing_customer=False)
    await world.apply("app-crm", customer)
    await world.run_until_status("app-crm", "offered")
    await world.accept("app-crm")
    await world.run_until_status("app-crm", "personalizing", "personalized", "delivered")
    found = await world.platform.query_side.crm_port().find_customer(
        customer.country, customer.national_id
    )
    assert found is not None
    assert "GOLD" in {p.code for p in found.products}


async def test_a_deceased_applicant_is_declined_and_nothing_is_issued(world: Journeys) -> None:
    await world.apply("app-dead", person(registry_status="DECEASED"))
    await world.run(days=1)
    journey = await world.journey("app-dead")
    assert journey["status"] == "declined"
    assert journey["done"]
    assert "AccountOpened" not in types_of(journey["timeline"])
    assert [str(m["X-Journey-Milestone"]) for m in world.mailer.sent] == [
        "application_received",
        "application_declined",
    ]


async def test_a_referral_waits_in_the_review_queue_until_an_analyst_decides(
    world: Journeys,
) -> None:
    pep = next(
        p
        for p in default_population().peps()
        if p.registry_status == "VALID" and p.credit.score and p.credit.score >= 700
    )
    await world.apply("app-pep", pep, product="CLASSIC", design="classic-blue")
    await world.run(days=1)
    assert await world.status("app-pep") == "referred"
    queue = await world.kernel.queries.ask(ListReviewQueue())
    assert [row["application_id"] for row in queue] == ["app-pep"]

    await world.send(
        DecideReferral(
            application_id="app-pep", approve=True, analyst="ana", reason="EDD completed"
        )
    )
    assert await world.run_until_status("app-pep", "offered") == "offered"
    assert await world.kernel.queries.ask(ListReviewQueue()) == []


async def test_an_analyst_declining_a_referral_ends_the_journey(world: Journeys) -> None:
    pep = next(p for p in default_population().peps() if p.registry_status == "VALID")
    await world.apply("app-no", pep, product="CLASSIC", design="classic-blue")
    await world.run(days=1)
    await world.send(
        DecideReferral(application_id="app-no", approve=False, analyst="ana", reason="risk")
    )
    await world.run(days=1)
    journey = await world.journey("app-no")
    assert journey["status"] == "declined"
    assert journey["done"]


async def test_a_referral_nobody_decides_is_flagged_stuck_at_its_deadline(
    world: Journeys,
) -> None:
    pep = next(p for p in default_population().peps() if p.registry_status == "VALID")
    await world.apply("app-slow", pep, product="CLASSIC", design="classic-blue")
    await world.run(days=4)
    assert (await world.journey("app-slow"))["stuck"] is None
    queued = await world.storage.get_document("review_queue", "app-slow")
    assert queued is not None
    assert "stuck" not in queued
    await world.run(days=2)
    journey = await world.journey("app-slow")
    assert journey["stuck"] is not None
    assert "referral" in journey["stuck"]
    # The analysts' queue flags it as overdue too.
    queued = await world.storage.get_document("review_queue", "app-slow")
    assert queued is not None
    assert "referral" in queued["stuck"]
    # The late decision still moves it on.
    await world.send(
        DecideReferral(application_id="app-slow", approve=True, analyst="ana", reason="late")
    )
    assert await world.run_until_status("app-slow", "offered") == "offered"
    assert (await world.journey("app-slow"))["stuck"] is None


async def test_an_offer_left_alone_expires_and_can_no_longer_be_accepted(
    world: Journeys,
) -> None:
    await world.apply("app-late")
    await world.run_until_status("app-late", "offered")
    await world.run(days=6)
    assert await world.status("app-late") == "offered"
    await world.run(days=2)
    journey = await world.journey("app-late")
    assert journey["status"] == "expired"
    assert journey["done"]
    with pytest.raises(RuleViolation):
        await world.accept("app-late")


async def test_an_out_of_stock_design_undoes_the_account_and_card_in_reverse_order() -> None:
    world = await journeys(stock=[("gold-night", 1)])
    try:
        for application_id, who in (("app-a", person(country="CL")), ("app-b", person())):
            await world.apply(application_id, who, design="gold-night")
            await world.run_until_status(application_id, "offered")
            await world.accept(application_id)
            await world.run(days=0.1)
        assert await world.status("app-a") == "personalizing"
        journey = await world.journey("app-b")
        assert journey["status"] == "compensated"
        assert journey["done"]
        kinds = types_of(journey["timeline"])
        assert kinds.index("CardCancelled") < kinds.index("AccountClosed")
        assert "FeeCharged" not in kinds
        assert "PersonalizationOrdered" not in kinds
        cancelled = [e for e in await world.decoded("CardCancelled") if e.card_id == "app-b-c0"]
        assert cancelled
        assert "out of stock" in cancelled[0].reason
        assert await stock_of(world, "gold-night") == {
            "available": 0,
            "reserved": 0,
            "consumed": 1,
            "spoiled": 0,
        }
    finally:
        await world.close()


async def test_a_refused_fee_releases_the_plastic_cancels_the_card_and_closes_the_account(
    world: Journeys,
) -> None:
    world.payments.refuse("app-fee-acc")
    await world.accepted("app-fee")
    await world.run(days=1)
    journey = await world.journey("app-fee")
    assert journey["status"] == "compensated"
    kinds = types_of(journey["timeline"])
    assert (
        kinds.index("PlasticReleased") < kinds.index("CardCancelled") < kinds.index("AccountClosed")
    )
    assert await stock_of(world, "gold-sun") == {
        "available": 10,
        "reserved": 0,
        "consumed": 0,
        "spoiled": 0,
    }
    assert world.platform.bureau.orders == 0  # type: ignore[attr-defined]
    (released,) = await world.decoded("PlasticReleased")
    assert "refused" in released.reason


async def test_a_withdrawal_after_the_pivot_refunds_and_cancels_but_keeps_the_plastic_spent(
    world: Journeys,
) -> None:
    await world.accepted("app-w")
    await world.run_until_status("app-w", "personalizing")
    await world.send(WithdrawApplication(application_id="app-w", reason="changed my mind"))
    await world.run(days=20)
    journey = await world.journey("app-w")
    assert journey["status"] == "compensated"
    assert journey["done"]
    kinds = types_of(journey["timeline"])
    assert {"FeeRefunded", "CardCancelled", "AccountClosed"} <= set(kinds)
    assert "PlasticReleased" not in kinds  # it went to the bureau: no way back into the vault
    assert (await stock_of(world, "gold-sun"))["consumed"] == 1
    assert world.payments.refunds == {"app-w-fee": (6000, "USD")}
    (refund,) = await world.decoded("FeeRefunded")
    assert refund.reason == "changed my mind"  # the withdrawal's own words, on every undo


async def test_a_card_failing_its_rf_test_is_spoiled_and_reissued_with_a_new_number() -> None:
    world = await journeys(fail_first=1)
    try:
        await world.accepted("app-rf")
        assert await world.run_until_status("app-rf", "delivered") == "delivered"
        issued = await world.decoded("CardIssued")
        assert [card.card_id for card in issued] == ["app-rf-c0", "app-rf-c1"]
        assert issued[1].reissue_of == "app-rf-c0"
        assert issued[0].pan_token != issued[1].pan_token
        cancelled = await world.decoded("CardCancelled")
        assert [c.card_id for c in cancelled] == ["app-rf-c0"]
        assert "RF test failed" in cancelled[0].reason
        assert await stock_of(world, "gold-sun") == {
            "available": 8,
            "reserved": 0,
            "consumed": 1,
            "spoiled": 1,
        }
        assert len(world.tester.tested) == 2
        assert len(set(world.tester.tested)) == 2  # a new plastic for the new card
        assert len(world.payments.charges) == 1  # the fee is not taken again
    finally:
        await world.close()


async def test_cards_that_keep_failing_stop_at_the_reissue_limit_and_alert_an_operator() -> None:
    world = await journeys(fail_first=100)
    try:
        await world.accepted("app-bad")
        await world.run(days=5)
        journey = await world.journey("app-bad")
        assert journey["stuck"] is not None
        assert "failed 4 times" in journey["stuck"]
        assert len(world.tester.tested) == 4
        assert (await stock_of(world, "gold-sun"))["spoiled"] == 4
    finally:
        await world.close()


async def test_a_misprint_at_the_bureau_is_reissued_like_an_rf_failure() -> None:
    world = await journeys(misprint_rate=1.0)
    try:
        await world.accepted("app-mis")
        await world.run(days=3)
        failures = await world.decoded("CardPrintFailed")
        assert len(failures) == 4  # every order misprints: reissued up to the limit
        assert (await world.journey("app-mis"))["stuck"] is not None
        assert world.tester.tested == []  # a misprinted card never reaches the RF station
    finally:
        await world.close()


async def test_a_parcel_returned_twice_is_cancelled_reissued_then_undone() -> None:
    world = await journeys(carrier=CarrierBehaviour(return_rate=1.0, duplicate_rate=0.0))
    try:
        await world.accepted("app-ret")
        await world.run(days=40)
        journey = await world.journey("app-ret")
        assert journey["status"] == "compensated"
        assert journey["done"]
        kinds = types_of(journey["timeline"])
        assert kinds.count("ShipmentReturned") == 2
        assert kinds.count("CardIssued") == 2
        assert {"FeeRefunded", "AccountClosed"} <= set(kinds)
        cancelled = {e.card_id for e in await world.decoded("CardCancelled")}
        assert cancelled == {"app-ret-c0", "app-ret-c1"}
    finally:
        await world.close()


async def test_duplicated_and_reordered_carrier_webhooks_deliver_the_card_once() -> None:
    noisy = CarrierBehaviour(return_rate=0.0, duplicate_rate=1.0, reorder_rate=1.0, seed=3)
    world = await journeys(carrier=noisy)
    try:
        await world.accepted("app-noisy")
        assert await world.run_until_status("app-noisy", "delivered") == "delivered"
        await world.run(days=5)
        assert len(await world.events("ShipmentDelivered")) == 1
        assert len(await world.events("CardDelivered")) == 1
        duplicates = await world.decoded("CarrierUpdateRecorded")
        assert duplicates  # the repeats arrived, and were recognised
        delivered_mail = [
            m for m in world.mailer.sent if m["X-Journey-Milestone"] == "card_delivered"
        ]
        assert len(delivered_mail) == 1
    finally:
        await world.close()


async def test_two_journeys_for_the_last_plastic_issue_exactly_one_card() -> None:
    world = await journeys(stock=[("gold-night", 1)])
    try:
        for application_id, who in (("app-x", person(country="AR")), ("app-y", person())):
            await world.apply(application_id, who, design="gold-night")
        await world.run(days=1)
        await world.accept("app-x")
        await world.accept("app-y")  # both accept before either is fulfilled
        await world.run(days=0.1)
        statuses = sorted([await world.status("app-x"), await world.status("app-y")])
        assert statuses == ["compensated", "personalizing"]
        assert len(await world.events("PersonalizationOrdered")) == 1
        assert await stock_of(world, "gold-night") == {
            "available": 0,
            "reserved": 0,
            "consumed": 1,
            "spoiled": 0,
        }
    finally:
        await world.close()


async def test_a_bureau_that_answers_late_flags_the_journey_then_lets_it_go_on() -> None:
    world = await journeys(
        turnaround_hours=24 * 5, deadlines=Deadlines(personalization=timedelta(days=3))
    )
    try:
        await world.accepted("app-slowbureau")
        await world.run(days=4)
        journey = await world.journey("app-slowbureau")
        assert journey["status"] == "personalizing"
        assert journey["stuck"] is not None
        assert "personalize" in journey["stuck"]
        assert await world.run_until_status("app-slowbureau", "delivered") == "delivered"
        assert (await world.journey("app-slowbureau"))["stuck"] is None
    finally:
        await world.close()
