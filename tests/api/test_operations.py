"""What operators use: stock, shipments, RF test results, card activation by the customer,
dead letters, projections, readiness and metrics."""

from __future__ import annotations

from typing import Literal

import orjson

from journey.command_side.issuance.agreements import agreement
from journey.cqrs.dead_letters import scheduled_to_json
from journey.cqrs.store.model import Commit, DeadLetter, DeadLetterStatus, ScheduledMessage
from journey.query_side.population import Person
from tests.api.conftest import Api


async def delivered(api: Api, who: Person, application_id: str) -> dict:
    """Drive a journey to a delivered card: HTTP for the customer, the clock for the rest."""
    await api.apply(who, application_id)
    await api.status_becomes(application_id, "offered")
    text = agreement()
    accepted = await api.post(
        f"/applications/{application_id}/acceptance",
        api.customer(who),
        json={"text_version": text.version, "text_hash": text.sha256},
    )
    assert accepted.status_code == 202
    assert await api.world.run_until_status(application_id, "delivered") == "delivered"
    return await api.world.journey(application_id)


async def test_operators_see_stock_levels_and_receive_plastics(api: Api) -> None:
    levels = await api.get("/stock", api.operator)
    assert levels.status_code == 200
    gold = next(level for level in levels.json() if level["design_code"] == "gold-sun")
    received = await api.post(
        "/stock/gold-sun/receipts", api.operator, json={"quantity": 25, "batch_ref": "B2026.1"}
    )
    assert received.status_code == 202
    assert received.headers["location"] == "/stock/gold-sun"
    position = received.json()["position"]
    after = await api.get(f"/stock/gold-sun?wait_for={position}", api.operator)
    assert after.json()["on_hand"] == gold["on_hand"] + 25
    again = await api.post(
        "/stock/gold-sun/receipts", api.operator, json={"quantity": 25, "batch_ref": "B2026.1"}
    )
    assert again.status_code == 202  # idempotent for the batch
    later = await api.get(f"/stock/gold-sun?wait_for={again.json()['position']}", api.operator)
    assert later.json()["on_hand"] == gold["on_hand"] + 25


async def test_a_receipt_for_an_unknown_design_or_with_a_bad_quantity_is_refused(api: Api) -> None:
    unknown = await api.post(
        "/stock/no-such-design/receipts", api.operator, json={"quantity": 1, "batch_ref": "B1"}
    )
    assert unknown.status_code == 404
    for quantity in (0, -5, "10", 1.5, 10_000_000):
        bad = await api.post(
            "/stock/gold-sun/receipts", api.operator, json={"quantity": quantity, "batch_ref": "B1"}
        )
        assert bad.status_code == 422, quantity
        assert bad.json()["errors"][0]["field"] == "quantity"


async def test_a_whole_journey_over_http_ends_with_the_customer_activating_the_card(
    api: Api, alice: Person, bob: Person
) -> None:
    journey = await delivered(api, alice, "app-full")
    card_id = journey["card_id"]

    shipments = await api.get("/shipments?application_id=app-full", api.operator)
    assert shipments.status_code == 200
    [shipment] = shipments.json()
    assert shipment["status"] == "delivered"
    assert shipment["history"]
    mine = await api.get("/shipments", api.customer(alice))
    assert [s["shipment_id"] for s in mine.json()] == [shipment["shipment_id"]]
    one = await api.get(f"/shipments/{shipment['shipment_id']}", api.customer(alice))
    assert one.status_code == 200
    assert (
        await api.get(f"/shipments/{shipment['shipment_id']}", api.customer(bob))
    ).status_code == 404
    assert (
        await api.get("/shipments?application_id=app-full", api.customer(bob))
    ).status_code == 404

    rf = await api.get(f"/cards/{card_id}/rf-tests", api.operator)
    assert rf.status_code == 200
    assert rf.json()["verdict"] == "PASS"
    assert rf.json()["card_id"] == card_id
    every = await api.get("/applications/app-full/rf-tests", api.operator)
    assert [row["card_id"] for row in every.json()] == [card_id]
    assert (await api.get(f"/cards/{card_id}/rf-tests", api.customer(alice))).status_code == 403

    stranger = await api.post(f"/cards/{card_id}/activation", api.customer(bob))
    assert stranger.status_code == 404
    activated = await api.post(f"/cards/{card_id}/activation", api.customer(alice))
    assert activated.status_code == 202
    assert activated.json()["result"] == {"activated": True}
    assert await api.status_becomes("app-full", "active") == "active"


async def test_operators_list_dead_letters_and_redrive_or_discard_them(api: Api) -> None:
    now = api.world.clock.now()
    letters = [
        DeadLetter(
            id=f"journey_status:evt-{n}",
            consumer="journey_status",
            kind="event",
            message_id=f"evt-{n}",
            message_type="ApplicationSubmitted",
            payload="{}",
            error="ValueError",
            attempts=5,
            status=DeadLetterStatus.PARKED,
            parked_at=now,
            updated_at=now,
            sequence_key=f"application-x{n}",
            position=None,
        )
        for n in (1, 2)
    ]
    await api.world.storage.commit(Commit(dead_letters=letters))
    listed = await api.get("/dead-letters", api.operator)
    assert [letter["id"] for letter in listed.json()] == [letter.id for letter in letters]
    assert "payload" not in listed.json()[0]

    redriven = await api.post("/dead-letters/journey_status:evt-1/redrive", api.operator)
    assert redriven.status_code == 202
    assert redriven.json()["result"]["queued"] == ["journey_status:evt-1"]
    discarded = await api.post("/dead-letters/journey_status:evt-2/discard", api.operator)
    assert discarded.json()["result"]["discarded"] == ["journey_status:evt-2"]
    missing = await api.post("/dead-letters/nothing-here/redrive", api.operator)
    assert missing.status_code == 404
    everything = await api.get("/dead-letters?all=true", api.operator)
    statuses = {letter["id"]: letter["status"] for letter in everything.json()}
    assert statuses["journey_status:evt-2"] == "discarded"


async def test_a_dead_letter_names_the_journey_it_holds_up(api: Api, alice: Person) -> None:
    await api.apply(alice, "app-dl")
    [submitted] = await api.world.storage.read_stream("application-app-dl", limit=1)
    now = api.world.clock.now()
    command = ScheduledMessage(
        id="cmd-1",
        due_at=now,
        kind="command",
        message_type="IssueCard",
        payload="{}",
        correlation_id="c-1",
        created_at=now,
        reply=orjson.dumps({"stream_id": "saga.onboarding-app-dl", "tag": {}}).decode(),
    )

    def letter(kind: Literal["event", "command"], message_id: str, payload: str) -> DeadLetter:
        return DeadLetter(
            id=f"somebody:{message_id}",
            consumer="somebody",
            kind=kind,
            message_id=message_id,
            message_type="x",
            payload=payload,
            error="ValueError",
            attempts=1,
            status=DeadLetterStatus.PARKED,
            parked_at=now,
            updated_at=now,
        )

    await api.world.storage.commit(
        Commit(
            dead_letters=[
                letter("event", submitted.event_id, "{}"),
                letter("command", "cmd-1", scheduled_to_json(command)),
                letter("event", "not-in-the-log", "{}"),
            ]
        )
    )
    listed = (await api.get("/dead-letters", api.operator)).json()
    about = {row["message_id"]: (row["stream_id"], row["application_id"]) for row in listed}
    assert about == {
        submitted.event_id: ("application-app-dl", "app-dl"),
        "cmd-1": ("saga.onboarding-app-dl", "app-dl"),
        "not-in-the-log": (None, None),
    }


async def test_projections_are_listed_with_their_lag(api: Api) -> None:
    answer = await api.get("/projections", api.operator)
    names = {row["name"] for row in answer.json()}
    assert {"journey_status", "review_queue", "stock_levels", "shipments"} <= names


async def test_readiness_checks_the_store_and_the_broker(api: Api) -> None:
    answer = await api.client.get("/ready")
    assert answer.status_code == 200
    assert answer.json()["store"] == answer.json()["broker"] == "ok"


async def test_readiness_answers_503_when_the_broker_does_not_answer(api: Api) -> None:
    async def broken(messages: object) -> None:
        raise ConnectionError("down")

    api.world.kernel.broker.publish = broken  # type: ignore[method-assign]
    answer = await api.client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["checks"]["broker"].startswith("unavailable")


async def test_metrics_count_requests_events_saga_steps_outside_calls_and_breakers(
    api: Api, alice: Person
) -> None:
    await api.apply(alice, "app-m")
    await api.status_becomes("app-m", "offered")
    text = (await api.client.get("/metrics")).text
    for expected in (
        'journey_http_requests_total{method="POST",route="/applications",status="202"}',
        'journey_events_appended_total{event_type="ApplicationSubmitted"}',
        'journey_saga_steps_total{outcome="succeeded",saga="onboarding"}',
        'journey_outside_call_seconds_count{outcome="ok",service="screening"}',
        'journey_breaker_state{service="screening"} 0.0',
        'journey_consumer_lag{consumer="journey_status"}',
        'journey_commands_total{command="SubmitApplication",outcome="handled"}',
        "journey_commands_in_flight 0.0",
        "journey_background_rested_seconds_total ",
    ):
        assert expected in text, expected
    assert alice.national_id not in text
