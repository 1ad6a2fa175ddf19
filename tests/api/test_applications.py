"""Applying, following the journey, the offer, acceptance, withdrawal and analysts' decisions,
over HTTP as a customer's page or a bank channel would."""

from __future__ import annotations

import pytest

from journey.catalog import default_catalog
from journey.command_side.issuance.agreements import agreement
from journey.query_side.population import Person, default_population
from journey.query_side.subjects import subject_key
from tests.api.conftest import Api, application_body


async def test_an_application_is_accepted_with_its_location_and_log_position(
    api: Api, alice: Person
) -> None:
    answer = await api.apply(alice, "app-1")
    assert answer.status_code == 202
    assert answer.headers["location"] == "/applications/app-1"
    body = answer.json()
    assert body["location"] == "/applications/app-1"
    assert body["application_id"] == "app-1"
    assert body["position"] >= 1


async def test_reading_with_wait_for_sees_the_command_just_accepted(
    api: Api, alice: Person
) -> None:
    position = (await api.apply(alice, "app-ryw")).json()["position"]
    answer = await api.get(f"/applications/app-ryw?wait_for={position}", api.customer(alice))
    assert answer.status_code == 200
    journey = answer.json()
    assert journey["application_id"] == "app-ryw"
    assert journey["customer_id"] == subject_key(alice.country, alice.national_id)
    assert journey["timeline"][0]["type"] == "ApplicationSubmitted"


async def test_waiting_for_a_position_the_read_model_never_reaches_answers_504(
    api: Api, alice: Person
) -> None:
    await api.apply(alice, "app-w")
    head = await api.world.storage.last_position()
    answer = await api.get(
        f"/applications?wait_for={head + 1_000_000}", api.customer(alice), timeout=10
    )
    assert answer.status_code == 504
    assert answer.json()["type"] == "urn:journey:problem:not-caught-up"


async def test_an_application_id_is_generated_when_none_is_given(api: Api, alice: Person) -> None:
    answer = await api.apply(alice)
    assert answer.status_code == 202
    application_id = answer.json()["application_id"]
    assert application_id.startswith("app-")
    assert answer.headers["location"] == f"/applications/{application_id}"


async def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    api: Api, alice: Person
) -> None:
    headers = {**api.customer(alice), "Idempotency-Key": "form-submit-1"}
    body = application_body(alice)  # no application_id: derived from the key
    first = await api.post("/applications", headers, json=body)
    again = await api.post("/applications", headers, json=body)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    journeys = await api.world.storage.find_documents("journeys", limit=10)
    submitted = await api.world.events("ApplicationSubmitted")
    assert len(submitted) == 1, journeys


async def test_the_same_idempotency_key_with_another_body_is_a_409(api: Api, alice: Person) -> None:
    headers = {**api.customer(alice), "Idempotency-Key": "k-1"}
    first = await api.post("/applications", headers, json=application_body(alice))
    other = await api.post(
        "/applications",
        headers,
        json=application_body(alice, product_code="CLASSIC", design_code="classic-blue"),
    )
    assert first.status_code == 202
    assert other.status_code == 409
    assert other.json()["type"] == "urn:journey:problem:idempotency-key-reused"


async def test_two_callers_using_the_same_key_do_not_meet(
    api: Api, alice: Person, bob: Person
) -> None:
    key = {"Idempotency-Key": "same-key"}
    one = await api.post(
        "/applications", {**api.customer(alice), **key}, json=application_body(alice)
    )
    two = await api.post("/applications", {**api.customer(bob), **key}, json=application_body(bob))
    assert one.status_code == two.status_code == 202
    assert one.json()["application_id"] != two.json()["application_id"]


async def test_an_application_id_used_by_another_customer_is_a_409(
    api: Api, alice: Person, bob: Person
) -> None:
    assert (await api.apply(alice, "app-taken")).status_code == 202
    taken = await api.apply(bob, "app-taken")
    assert taken.status_code == 409
    assert taken.json()["type"] == "urn:journey:problem:application-id-taken"
    again = await api.apply(alice, "app-taken")  # the owner sending it again: idempotent
    assert again.status_code == 202


async def test_an_invalid_application_is_a_422_listing_its_fields_without_echoing_them(
    api: Api, alice: Person
) -> None:
    body = application_body(alice, email="not-an-email", surnames=[], birth_date="1800-01-01")
    body["extra"] = "field"
    del body["phone"]
    answer = await api.post("/applications", api.customer(alice), json=body)
    assert answer.status_code == 422
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    fields = {error["field"] for error in problem["errors"]}
    assert {"email", "surnames", "birth_date", "phone", "extra"} <= fields
    assert "not-an-email" not in answer.text
    assert alice.national_id not in answer.text


async def test_an_application_whose_name_cannot_be_screened_is_a_422_before_it_is_accepted(
    api: Api, alice: Person
) -> None:
    body = application_body(alice, given_names="J.", surnames=["P"])
    answer = await api.post("/applications", api.customer(alice), json=body)
    assert answer.status_code == 422
    assert "two letters" in answer.text


async def test_an_unknown_product_or_design_is_a_422_naming_the_field(
    api: Api, alice: Person
) -> None:
    product = await api.post(
        "/applications", api.customer(alice), json=application_body(alice, product_code="NOPE")
    )
    design = await api.post(
        "/applications", api.customer(alice), json=application_body(alice, design_code="pink")
    )
    assert product.status_code == design.status_code == 422
    assert product.json()["errors"][0]["field"] == "product_code"
    assert design.json()["errors"][0]["field"] == "design_code"


async def test_a_body_that_is_not_json_is_a_422_not_a_500(api: Api, alice: Person) -> None:
    answer = await api.post(
        "/applications",
        {**api.customer(alice), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_customer_lists_their_applications_and_staff_list_everyones(
    api: Api, alice: Person, bob: Person
) -> None:
    await api.apply(alice, "app-a1")
    position = (await api.apply(bob, "app-b1")).json()["position"]
    mine = await api.get(f"/applications?wait_for={position}", api.customer(alice))
    assert [row["application_id"] for row in mine.json()["items"]] == ["app-a1"]
    everyone = await api.get(f"/applications?wait_for={position}", api.operator)
    listed = everyone.json()
    assert {row["application_id"] for row in listed["items"]} == {"app-a1", "app-b1"}
    assert listed["total"] == 2
    filtered = await api.get("/applications?status=nonexistent", api.operator)
    assert filtered.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    bad = await api.get("/applications?limit=0", api.operator)
    assert bad.status_code == 422


async def test_the_customer_reads_the_offer_and_accepts_that_exact_text(
    api: Api, alice: Person
) -> None:
    await api.apply(alice, "app-o")
    await api.status_becomes("app-o", "offered")
    offer = (await api.get("/applications/app-o/offer", api.customer(alice))).json()
    text = agreement()
    assert offer["status"] == "offered"
    assert offer["text_version"] == text.version
    assert offer["text_hash"] == text.sha256
    assert offer["agreement_text"] == text.text
    assert offer["credit_limit"] > 0
    assert offer["currency"] == default_catalog().currency
    assert offer["apr_bps"] > 0

    wrong = await api.post(
        "/applications/app-o/acceptance",
        api.customer(alice),
        json={"text_version": offer["text_version"], "text_hash": "0" * 64},
    )
    assert wrong.status_code == 409
    assert wrong.json()["type"] == "urn:journey:problem:rule-violation"

    accepted = await api.post(
        "/applications/app-o/acceptance",
        api.customer(alice),
        json={"text_version": offer["text_version"], "text_hash": offer["text_hash"]},
    )
    assert accepted.status_code == 202
    assert accepted.json()["result"] == {"status": "accepted"}
    position = accepted.json()["position"]
    journey = await api.get(f"/applications/app-o?wait_for={position}", api.customer(alice))
    assert "AgreementAccepted" in [entry["type"] for entry in journey.json()["timeline"]]
    offer = (await api.get("/applications/app-o/offer", api.customer(alice))).json()
    assert offer["status"] == "accepted"


async def test_an_offer_keeps_the_currency_it_was_made_in_when_the_catalog_changes(
    api: Api, alice: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    await api.apply(alice, "app-cur")
    await api.status_becomes("app-cur", "offered")
    in_pesos = default_catalog().model_copy(update={"currency": "MXN"})
    monkeypatch.setattr("journey.entrypoints.api.applications.default_catalog", lambda: in_pesos)
    offer = (await api.get("/applications/app-cur/offer", api.customer(alice))).json()
    assert offer["currency"] == "USD"  # as offered; the catalog's new currency is not the offer's


async def test_there_is_no_offer_before_the_application_is_approved(
    api: Api, alice: Person
) -> None:
    await api.world.kernel.stop()  # nothing moves on: the application stays submitted
    await api.apply(alice, "app-early")
    answer = await api.get("/applications/app-early/offer", api.customer(alice))
    assert answer.status_code == 404
    assert answer.json()["type"] == "urn:journey:problem:no-offer"


async def test_the_customer_or_an_operator_withdraws_an_application(
    api: Api, alice: Person, bob: Person
) -> None:
    await api.apply(alice, "app-wd")
    await api.status_becomes("app-wd", "offered")
    mine = await api.post(
        "/applications/app-wd/withdrawal", api.customer(alice), json={"reason": "changed my mind"}
    )
    assert mine.status_code == 202
    assert mine.json()["result"] == {"withdrawn": True}
    assert await api.status_becomes("app-wd", "withdrawn") == "withdrawn"

    await api.world.kernel.stop()  # so that Bob's application is still undecided when withdrawn
    await api.apply(bob, "app-wd2")
    by_operator = await api.post("/applications/app-wd2/withdrawal", api.operator)
    assert by_operator.status_code == 202
    assert by_operator.json()["result"] == {"withdrawn": True}
    analyst = await api.post("/applications/app-wd2/withdrawal", api.analyst)
    assert analyst.status_code == 403
    await api.world.kernel.start()
    await api.status_becomes("app-wd2", "withdrawn")

    # The timeline says who withdrew: the customer's own words, or that an operator did.
    lines = {}
    for application_id in ("app-wd", "app-wd2"):
        journey = await api.world.storage.get_document("journeys", application_id)
        assert journey is not None
        lines[application_id] = [
            entry["what"]
            for entry in journey["timeline"]
            if entry["type"] == "ApplicationWithdrawn"
        ]
    assert lines == {
        "app-wd": ["withdrawn (changed my mind)"],
        "app-wd2": ["withdrawn by an operator for the customer"],
    }


async def test_an_analyst_decides_a_referral_from_the_review_queue(api: Api) -> None:
    pep = next(
        p
        for p in default_population().peps()
        if p.registry_status == "VALID" and p.credit.score and p.credit.score >= 700
    )
    body = application_body(pep, "app-pep", product_code="CLASSIC", design_code="classic-blue")
    assert (await api.post("/applications", api.customer(pep), json=body)).status_code == 202
    await api.status_becomes("app-pep", "referred")

    queue = await api.get("/review-queue", api.analyst)
    assert queue.status_code == 200
    assert [row["application_id"] for row in queue.json()] == ["app-pep"]
    assert (await api.get("/review-queue", api.operator)).status_code == 200

    decided = await api.post(
        "/applications/app-pep/referral-decision",
        api.analyst,
        json={"approve": True, "reason": "enhanced due diligence completed"},
    )
    assert decided.status_code == 202
    assert await api.status_becomes("app-pep", "offered") == "offered"
    referral = list(await api.world.decoded("ReferralDecided"))
    assert referral[0].analyst == "ana"  # the token's subject

    queue = await api.get(f"/review-queue?wait_for={decided.json()['position']}", api.analyst)
    assert queue.json() == []
    twice = await api.post(
        "/applications/app-pep/referral-decision",
        api.analyst,
        json={"approve": False, "reason": "again"},
    )
    assert twice.status_code == 409


async def test_a_referral_decision_needs_a_real_boolean_and_a_reason(api: Api) -> None:
    answer = await api.post(
        "/applications/app-x/referral-decision", api.analyst, json={"approve": "yes"}
    )
    assert answer.status_code == 422
    assert {error["field"] for error in answer.json()["errors"]} == {"approve", "reason"}


async def test_a_customer_prequalifies_themselves_and_staff_see_the_checks(
    api: Api, alice: Person, bob: Person
) -> None:
    body = {
        "applicant": {
            "country": alice.country,
            "national_id": alice.national_id,
            "given_names": alice.given_names,
            "surnames": list(alice.surnames),
            "birth_date": alice.birth_date.isoformat(),
            "email": alice.email,
            "phone": alice.phone,
        },
        "product_code": "GOLD",
        "bureau_consent": True,
    }
    mine = await api.post("/prequalifications", api.customer(alice), json=body)
    assert mine.status_code == 200
    answer = mine.json()
    assert answer["decision"] == "ELIGIBLE"
    assert answer["offers"]
    assert answer["currency"] == "USD"  # of the offers' limits and fees: the catalog's
    assert "checks" not in answer
    staff = await api.post("/prequalifications", api.operator, json=body)
    assert {check["service"] for check in staff.json()["checks"]} >= {"screening", "credit"}
    assert all("answer" not in check for check in staff.json()["checks"])
    someone_else = await api.post("/prequalifications", api.customer(bob), json=body)
    assert someone_else.status_code == 403
    unknown = await api.post(
        "/prequalifications", api.customer(alice), json={**body, "product_code": "NOPE"}
    )
    assert unknown.status_code == 422


async def test_the_catalog_is_open_to_anyone(api: Api) -> None:
    answer = await api.client.get("/products")
    assert answer.status_code == 200
    assert answer.json()["currency"] == "USD"  # every amount below is in it
    products = answer.json()["products"]
    gold = next(product for product in products if product["code"] == "GOLD")
    assert gold["annual_fee"] >= 0
    assert {design["code"] for design in gold["designs"]} >= {"gold-sun"}


async def test_a_name_with_no_word_of_two_letters_is_refused_as_bad_input(
    api: Api, alice: Person
) -> None:
    body = {
        "applicant": {
            "country": alice.country,
            "national_id": alice.national_id,
            "given_names": "A",
            "surnames": ["B"],
            "birth_date": alice.birth_date.isoformat(),
        },
        "product_code": "GOLD",
        "bureau_consent": True,
    }
    answer = await api.post("/prequalifications", api.customer(alice), json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "two letters" in answer.text
