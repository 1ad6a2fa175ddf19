"""The demo's summary and its invariants, checked against the event log itself.

The read models say what each journey shows; the invariants re-derive the facts that must
never break from the raw log (every plastic's fate, every personalization order, every fee)
and compare: stock conserved, no card made twice, no fee taken twice, no email sent twice,
every journey over or waiting on a person.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from journey.command_side.notifications import Mailbox
from journey.command_side.stock import STOCK_LEVELS
from journey.cqrs.store.port import Storage
from journey.demo.driver import WAITING_ON_PERSON, DemoRun

PAGE = 2_000
WATCHED = (
    "PlasticsReceived",
    "PlasticReserved",
    "PlasticConsumed",
    "PlasticReleased",
    "PlasticSpoiled",
    "PersonalizationOrdered",
    "CardIssued",
    "CardCancelled",
    "CardActivated",
    "FeeCharged",
    "FeeRefunded",
)


@dataclass
class Invariant:
    name: str
    ok: bool
    detail: str


@dataclass
class Summary:
    counts: dict[str, Any]
    by_scenario: dict[str, Counter[str]]
    invariants: list[Invariant] = field(default_factory=list)

    @property
    def invariants_ok(self) -> bool:
        return all(invariant.ok for invariant in self.invariants)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.counts,
            "invariants_ok": self.invariants_ok,
            "invariants": {i.name: {"ok": i.ok, "detail": i.detail} for i in self.invariants},
            "by_scenario": {name: dict(counts) for name, counts in self.by_scenario.items()},
        }


def _has(journey: dict[str, Any], event_type: str) -> bool:
    return any(entry["type"] == event_type for entry in journey.get("timeline", []))


def _count(journey: dict[str, Any], event_type: str) -> int:
    return sum(1 for entry in journey.get("timeline", []) if entry["type"] == event_type)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def summarize(run: DemoRun) -> Summary:
    journeys = [outcome.journey for outcome in run.outcomes]
    waiting = [
        j
        for j in journeys
        if not j["done"] and not j.get("stuck") and j["status"] in WAITING_ON_PERSON
    ]
    walls = sorted(outcome.wall_ms for outcome in run.outcomes)
    mailbox = run.platform.sink.mailbox if run.platform.sink is not None else None
    counts: dict[str, Any] = {
        "customers": len(journeys),
        "approved": sum(_has(j, "ApplicationApproved") for j in journeys),
        "declined": sum(_has(j, "ApplicationDeclined") for j in journeys),
        "referred": sum(_has(j, "ApplicationReferred") for j in journeys),
        "issued": sum(_has(j, "CardIssued") for j in journeys),
        "shipped": sum(_has(j, "ShipmentCreated") for j in journeys),
        "delivered": sum(_has(j, "ShipmentDelivered") for j in journeys),
        "activated": sum(j["status"] == "active" for j in journeys),
        "compensated": sum(j["status"] == "compensated" for j in journeys),
        "expired": sum(_has(j, "OfferExpired") for j in journeys),
        "withdrawn": sum(_has(j, "ApplicationWithdrawn") for j in journeys),
        "waiting_on_human": len(waiting),
        "stuck": sum(bool(j.get("stuck")) for j in journeys) + len(run.stalled),
        "cards_issued": sum(_count(j, "CardIssued") for j in journeys),
        "reissued_rf_failed": sum(_count(j, "CardRfTestFailed") for j in journeys),
        "reissued_misprinted": sum(_count(j, "CardPrintFailed") for j in journeys),
        "returned_to_sender": sum(_count(j, "ShipmentReturned") for j in journeys),
        "emails_received": len(mailbox) if mailbox is not None else None,
        "journeys_per_s": round(len(journeys) / run.seconds, 2) if run.seconds else 0.0,
        "p50_journey_ms": round(_percentile(walls, 0.50), 1),
        "p99_journey_ms": round(_percentile(walls, 0.99), 1),
        "seconds": round(run.seconds, 2),
        "simulated_days": round(run.simulated_days, 2),
        "seed": run.options.seed,
    }
    by_scenario: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in run.outcomes:
        status = outcome.journey["status"] + (" (stuck)" if outcome.journey.get("stuck") else "")
        by_scenario[outcome.scenario.value][status] += 1
    summary = Summary(counts, dict(by_scenario))
    summary.invariants = await check_invariants(run, mailbox)
    return summary


async def _read_log(storage: Storage) -> list[tuple[str, dict[str, Any]]]:
    """(event type, payload) of every watched event, in log order (payloads hold no personal
    data for these types except the embossed name, which is not read)."""
    import orjson

    found: list[tuple[str, dict[str, Any]]] = []
    position = 0
    while True:
        page = await storage.read_all(after_position=position, limit=PAGE, event_types=WATCHED)
        if not page:
            return found
        for stored in page:
            found.append((stored.event_type, orjson.loads(stored.data)))
        position = page[-1].position


async def check_invariants(run: DemoRun, mailbox: Mailbox | None) -> list[Invariant]:
    storage = run.platform.kernel.storage
    log = await _read_log(storage)
    return [
        await _stock_conserved(storage, log, all_done=not run.stalled),
        _no_card_made_twice(log),
        _no_fee_taken_twice(log, run),
        _no_email_twice(mailbox),
        _every_journey_settled(run),
    ]


async def _stock_conserved(
    storage: Storage, log: list[tuple[str, dict[str, Any]]], *, all_done: bool
) -> Invariant:
    received: Counter[str] = Counter()
    fate: dict[str, tuple[str, str]] = {}  # serial -> (design, last state)
    for kind, data in log:
        if kind == "PlasticsReceived":
            received[data["design_code"]] += data["quantity"]
        elif kind.startswith("Plastic"):
            state = kind.removeprefix("Plastic").lower()
            fate[data["plastic_serial"]] = (data["design_code"], state)
    problems: list[str] = []
    for design, quantity in sorted(received.items()):
        states = Counter(state for d, state in fate.values() if d == design)
        level = await storage.get_document(STOCK_LEVELS, design)
        if level is None:
            problems.append(f"{design}: no stock level")
            continue
        expected = {
            "reserved": states["reserved"],
            "consumed": states["consumed"],
            "spoiled": states["spoiled"],
            "on_hand": quantity - states["consumed"] - states["spoiled"],
        }
        actual = {name: level[name] for name in expected}
        if actual != expected or level["received"] != quantity:
            problems.append(f"{design}: log says {expected}, stock says {actual}")
        if min(actual.values()) < 0 or level["available"] < 0:
            problems.append(f"{design}: a count went negative ({actual})")
        if all_done and states["reserved"]:
            problems.append(
                f"{design}: {states['reserved']} plastics reserved by finished journeys"
            )
    total = sum(received.values())
    return Invariant(
        "stock conserved",
        not problems,
        "; ".join(problems) or f"{total} plastics received, every one accounted for",
    )


def _no_card_made_twice(log: list[tuple[str, dict[str, Any]]]) -> Invariant:
    orders: Counter[str] = Counter()
    serial_cards: dict[str, set[str]] = defaultdict(set)
    live: dict[str, set[str]] = defaultdict(set)  # application -> cards neither cancelled
    for kind, data in log:
        if kind == "PersonalizationOrdered":
            orders[data["card_id"]] += 1
            serial_cards[data["plastic_serial"]].add(data["card_id"])
        elif kind == "CardIssued":
            live[data["application_id"]].add(data["card_id"])
        elif kind == "CardCancelled":
            live[data["application_id"]].discard(data["card_id"])
    problems = [f"card {card} ordered {n} times" for card, n in orders.items() if n > 1]
    problems += [
        f"plastic {serial} in cards {sorted(cards)}"
        for serial, cards in serial_cards.items()
        if len(cards) > 1
    ]
    problems += [
        f"application {app} holds cards {sorted(cards)}"
        for app, cards in live.items()
        if len(cards) > 1
    ]
    return Invariant(
        "no card issued twice",
        not problems,
        "; ".join(problems[:5]) or f"{sum(orders.values())} personalization orders, all distinct",
    )


def _no_fee_taken_twice(log: list[tuple[str, dict[str, Any]]], run: DemoRun) -> Invariant:
    charged: Counter[str] = Counter()
    refunded: Counter[str] = Counter()
    for kind, data in log:
        if kind == "FeeCharged":
            charged[data["application_id"]] += 1
        elif kind == "FeeRefunded":
            refunded[data["application_id"]] += 1
    problems = [f"{app} charged {n} times" for app, n in charged.items() if n > 1]
    problems += [
        f"{app} refunded without a charge" for app in refunded if refunded[app] > charged[app]
    ]
    gateway = run.payments
    if len(gateway.charges) != sum(charged.values()):
        problems.append(
            f"the processor took {len(gateway.charges)} fees, the log {sum(charged.values())}"
        )
    return Invariant(
        "no fee taken twice",
        not problems,
        "; ".join(problems) or f"{sum(charged.values())} fees, {sum(refunded.values())} refunds",
    )


def _no_email_twice(mailbox: Mailbox | None) -> Invariant:
    if mailbox is None:
        return Invariant("no email sent twice", True, "no local SMTP sink")
    dropped = mailbox.duplicates_dropped
    return Invariant(
        "no email sent twice",
        dropped == 0,
        f"{len(mailbox)} emails, {dropped} repeated Message-IDs",
    )


def _every_journey_settled(run: DemoRun) -> Invariant:
    if run.stalled:
        return Invariant(
            "every journey over or waiting on a person",
            False,
            f"{len(run.stalled)} journeys stopped with nothing to wait for: {run.stalled[:5]}",
        )
    return Invariant(
        "every journey over or waiting on a person",
        True,
        "each is over, waits on a person, or has an operator alerted",
    )
