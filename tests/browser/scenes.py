"""Scenes set through the API (as another channel of the bank would), for the pages to show."""

from __future__ import annotations

import time
from typing import Any

import httpx

from journey.query_side.population import Person
from tests.browser import people


def wait_for_status(
    client: httpx.Client, application_id: str, *statuses: str, timeout: float = 60
) -> dict[str, Any]:
    """Poll the journey until its status is one of `statuses`; the journey document."""
    deadline = time.monotonic() + timeout
    journey: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = client.get(f"/applications/{application_id}")
        if answer.status_code == 200:
            journey = answer.json()
            if journey["status"] in statuses:
                return journey
        time.sleep(0.2)
    raise AssertionError(f"{application_id} stayed {journey.get('status')}, not {statuses}")


def apply(
    customer: httpx.Client, who: Person, product: str = "GOLD", design: str = "gold-sun"
) -> str:
    """Submit an application for `who`; its id."""
    answer = customer.post("/applications", json=people.application_body(who, product, design))
    assert answer.status_code == 202, answer.text
    return str(answer.json()["application_id"])


def accept_offer(customer: httpx.Client, application_id: str) -> None:
    offer = customer.get(f"/applications/{application_id}/offer").json()
    answer = customer.post(
        f"/applications/{application_id}/acceptance",
        json={"text_version": offer["text_version"], "text_hash": offer["text_hash"]},
    )
    assert answer.status_code == 202, answer.text
