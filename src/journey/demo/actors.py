"""The people around the platform in the demo: customers who accept, withdraw and activate, and
analysts who work the review queue. They act through the same commands a channel or the
back-office console would send, some simulated hours after the journey asks them to."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from journey.command_side.issuance.agreements import agreement
from journey.command_side.issuance.commands import (
    AcceptAgreement,
    ActivateCard,
    DecideReferral,
    WithdrawApplication,
)
from journey.cqrs.messages import Command
from journey.demo.scenarios import Casting, Scenario

OBSERVED = ("application_id", "done", "status", "card_id")
"""The fields of a journey document `Actors.observe` reads."""


@dataclass(order=True)
class _Due:
    at: datetime
    order: int
    command: Command = field(compare=False)


class Actors:
    """Decides, from each journey's status, who does what and when; hands out due commands."""

    def __init__(self, castings: list[Casting], seed: int) -> None:
        self._casting = {c.application_id: c for c in castings}
        self._rng = random.Random(seed)
        self._queue: list[_Due] = []
        self._acted: set[tuple[str, str]] = set()  # (application, what) already planned
        self._order = 0

    def observe(self, journey: dict[str, Any], now: datetime) -> None:
        """Plan what the journey's status asks of a person (once per application and status).
        Reads the journey's `OBSERVED` fields only."""
        application_id = journey["application_id"]
        casting = self._casting.get(application_id)
        if casting is None or journey["done"]:
            return
        status = journey["status"]
        scenario = casting.scenario
        if status == "offered" and scenario is not Scenario.OFFER_EXPIRES:
            text = agreement()
            self._plan(
                application_id,
                "accept",
                now + self._hours(1, 48),
                AcceptAgreement(
                    application_id=application_id,
                    text_version=text.version,
                    text_hash=text.sha256,
                    channel="web",
                ),
            )
        elif status == "referred":
            self._plan(
                application_id,
                "decide",
                now + self._hours(4, 30),
                DecideReferral(
                    application_id=application_id,
                    approve=True,
                    analyst="demo-analyst",
                    reason=_analyst_reason(scenario),
                ),
            )
        elif status == "personalizing" and scenario is Scenario.WITHDRAWS:
            self._plan(
                application_id,
                "withdraw",
                now + self._hours(1, 4),
                WithdrawApplication(
                    application_id=application_id, reason="the customer changed their mind"
                ),
            )
        elif status == "delivered" and journey.get("card_id"):
            self._plan(
                application_id,
                f"activate:{journey['card_id']}",
                now + self._hours(2, 72),
                ActivateCard(card_id=journey["card_id"]),
            )

    def due(self, now: datetime) -> list[Command]:
        """Commands whose time has come, in time order."""
        ready: list[Command] = []
        while self._queue and self._queue[0].at <= now:
            ready.append(heapq.heappop(self._queue).command)
        return ready

    def next_at(self) -> datetime | None:
        return self._queue[0].at if self._queue else None

    def _plan(self, application_id: str, what: str, at: datetime, command: Command) -> None:
        if (application_id, what) in self._acted:
            return
        self._acted.add((application_id, what))
        self._order += 1
        heapq.heappush(self._queue, _Due(at, self._order, command))

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self._rng.uniform(low, high))


def _analyst_reason(scenario: Scenario) -> str:
    return {
        Scenario.SANCTIONS_NEAR_MATCH: "namesake cleared: birth date and nationality differ",
        Scenario.PEP: "PEP approved after enhanced due diligence",
        Scenario.BUREAU_DOWN: "bureau report obtained manually; within policy",
    }.get(scenario, "reviewed; within policy")
