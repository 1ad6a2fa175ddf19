"""A customer's profile and erasure (operators), and the local SMTP sink's mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from journey.command_side.issuance.agreements import agreement
from journey.query_side.population import Person
from journey.query_side.subjects import subject_key
from tests.api.conftest import Api, api_over, journeys_with_sink


async def test_an_operator_sees_a_customers_journeys_and_crm_record(
    api: Api, alice: Person
) -> None:
    customer_id = subject_key(alice.country, alice.national_id)
    position = (await api.apply(alice, "app-c")).json()["position"]
    answer = await api.get(f"/customers/{customer_id}?wait_for={position}", api.operator)
    assert answer.status_code == 200
    profile = answer.json()
    assert profile["customer_id"] == customer_id
    assert [j["application_id"] for j in profile["journeys"]] == ["app-c"]
    assert profile["erased"] is False
    assert profile["crm_status"] in {"found", "not_a_customer"}
    assert (await api.get(f"/customers/{customer_id}", api.customer(alice))).status_code == 403
    assert (await api.get("/customers/subj-" + "0" * 32, api.operator)).status_code == 404
    assert (await api.get("/customers/not-a-customer-id", api.operator)).status_code == 404


async def test_erasing_a_customer_shreds_their_data_and_keeps_the_journey(
    api: Api, alice: Person
) -> None:
    customer_id = subject_key(alice.country, alice.national_id)
    await api.apply(alice, "app-e")
    await api.status_becomes("app-e", "offered")
    query_side = api.world.platform.query_side
    crm, cdp = query_side.crm, query_side.cdp
    # Screening cached what the CRM and the CDP said about her: her data, in clear.
    assert (await crm.lookup(alice.country, alice.national_id)).from_cache
    assert (await cdp.profile(alice.country, alice.national_id, [])).from_cache

    erased = await api.client.delete(
        f"/customers/{customer_id}/personal-data", headers=api.operator
    )
    assert erased.status_code == 202
    assert erased.json()["result"] == {"erased": True}
    assert erased.headers["location"] == f"/customers/{customer_id}"
    again = await api.client.delete(f"/customers/{customer_id}/personal-data", headers=api.operator)
    assert again.status_code == 202
    assert again.json()["result"] == {"erased": False}
    # Erasure emptied those caches: the next look asks the systems again.
    assert not (await crm.lookup(alice.country, alice.national_id)).from_cache
    assert not (await cdp.profile(alice.country, alice.national_id, [])).from_cache

    [submitted] = await api.world.decoded("ApplicationSubmitted")
    assert submitted.national_id is None
    assert submitted.email is None
    profile = (await api.get(f"/customers/{customer_id}", api.operator)).json()
    assert profile["erased"] is True
    assert profile["crm"] is None
    journey = await api.get("/applications/app-e", api.operator)
    assert journey.status_code == 200
    assert journey.json()["status"] == "offered"
    refused = await api.client.delete(
        f"/customers/{customer_id}/personal-data", headers=api.customer(alice)
    )
    assert refused.status_code == 403


@pytest.fixture
async def sink_api() -> AsyncIterator[Api]:
    world = await journeys_with_sink()
    try:
        async with api_over(world) as running:
            yield running
    finally:
        await world.close()


async def test_the_mailbox_shows_the_journeys_email_and_the_welcome_pdf(
    sink_api: Api, alice: Person
) -> None:
    api = sink_api
    await api.apply(alice, "app-mail")
    await api.status_becomes("app-mail", "offered")
    text = agreement()
    await api.post(
        "/applications/app-mail/acceptance",
        api.customer(alice),
        json={"text_version": text.version, "text_hash": text.sha256},
    )
    await api.world.run_until_status("app-mail", "delivered")

    async def welcome_arrived() -> bool:
        listed = (await api.get("/mailbox?application_id=app-mail", api.operator)).json()
        return any(m["milestone"] == "card_shipped" for m in listed["messages"])

    await api.until(welcome_arrived)
    listed = (await api.get("/mailbox?application_id=app-mail", api.operator)).json()
    shipped = next(m for m in listed["messages"] if m["milestone"] == "card_shipped")
    assert shipped["application_id"] == "app-mail"
    [pdf] = [a for a in shipped["attachments"] if a["content_type"] == "application/pdf"]

    from urllib.parse import quote

    path = "/mailbox/" + quote(shipped["message_id"], safe="")
    message = await api.get(path, api.operator)
    assert message.status_code == 200
    assert message.json()["text"]
    attachment = await api.get(f"{path}/attachments/{pdf['n']}", api.operator)
    assert attachment.status_code == 200
    assert attachment.headers["content-type"] == "application/pdf"
    assert attachment.content.startswith(b"%PDF")
    assert "inline" in attachment.headers["content-disposition"]
    assert (await api.get(f"{path}/attachments/99", api.operator)).status_code == 404
    assert (await api.get("/mailbox/%3Cnope%40journey%3E", api.operator)).status_code == 404
    assert (await api.get("/mailbox", api.customer(alice))).status_code == 403


async def test_without_a_local_sink_the_mailbox_answers_404(api: Api) -> None:
    answer = await api.get("/mailbox", api.operator)
    assert answer.status_code == 404
    assert answer.json()["type"] == "urn:journey:problem:no-mailbox"
