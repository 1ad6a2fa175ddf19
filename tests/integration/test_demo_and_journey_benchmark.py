"""`journey demo` runs end to end at a small size: every scenario of the mix ends where it
should and the invariants hold. (`journey bench journey` is run from the CLI in tests/e2e: it
configures the process's logging, which must not leak into other tests.)"""

from __future__ import annotations

from collections import Counter

from journey.demo.driver import DemoOptions, run_demo
from journey.demo.report import summarize
from journey.demo.scenarios import MIX, Scenario

DEMO_KEYS = (
    "customers",
    "approved",
    "declined",
    "referred",
    "issued",
    "shipped",
    "delivered",
    "compensated",
    "waiting_on_human",
    "stuck",
    "invariants_ok",
    "journeys_per_s",
    "p50_journey_ms",
    "p99_journey_ms",
)
# Where each scenario must end (a creditworthy person may still be declined or referred by a
# check the scenario does not control, e.g. a CRM alert: those are allowed too).
ENDS = {
    Scenario.CLEAN: {"active"},
    Scenario.PREMIUM: {"active"},
    Scenario.SANCTIONS_NEAR_MATCH: {"active"},
    Scenario.PEP: {"active"},
    Scenario.DECEASED: {"declined"},
    Scenario.LOW_SCORE: {"declined"},
    Scenario.BUREAU_DOWN: {"active"},
    Scenario.OUT_OF_STOCK: {"active", "compensated"},
    Scenario.FEE_REFUSED: {"compensated"},
    Scenario.OFFER_EXPIRES: {"expired"},
    Scenario.WITHDRAWS: {"compensated"},
}


async def test_the_demo_plays_every_scenario_and_keeps_every_invariant() -> None:
    run = await run_demo(DemoOptions(customers=40, seed=3, store="memory"))
    try:
        summary = await summarize(run)
    finally:
        await run.platform.close()
    report = summary.as_json()
    assert report["invariants_ok"], report["invariants"]
    assert report["stuck"] == 0
    assert set(DEMO_KEYS) <= set(report)
    scenarios = Counter(outcome.scenario for outcome in run.outcomes)
    assert set(scenarios) == set(MIX) | {Scenario.CLEAN}
    for outcome in run.outcomes:
        allowed = ENDS[outcome.scenario] | {"declined"}
        assert outcome.journey["status"] in allowed, (outcome.scenario, outcome.journey["status"])
        assert outcome.journey["done"], outcome.application_id
    assert report["emails_received"] > 0
    assert report["referred"] >= scenarios[Scenario.BUREAU_DOWN] + scenarios[Scenario.PEP]
