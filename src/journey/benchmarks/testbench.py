"""The test bench benchmark: single-site vs multi-site throughput, accuracy against hidden truth.

One process, one set of simulated instruments with realistic timings (VNA sweep 30 ms, SA sweep
20 ms, relay settling 5 ms, one card-handler motion 400 ms), served on loopback sockets and driven
through PyVISA exactly as real LAN instruments would be. The same lot of cards (same seed, same
ids, so the same hidden properties) is tested twice in the same run:

1. **single-site**: one fixture position; the handler's motion, the VNA phase and the
   generator/analyzer phase follow each other;
2. **multi-site**: `sites` positions at once, sharing the instruments through the switch matrix;
   handling at one position overlaps measuring at another, and the VNA works on one card while
   the generator and analyzer work on another.

Reported: cards per minute of each and their ratio; the share of verdicts that agree with the
simulator's hidden truth (over both runs); the worst resonance-frequency error; bookings that
overlapped (must be 0); routes refused (must be 0); the analyzer's utilisation.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from journey.testbench.multisite import MultiSiteRunner, RunResult
from journey.testbench.runtime import open_station
from journey.testbench.simulators.config import SimulationConfig, Timing
from journey.testbench.simulators.host import SimulatorHost
from journey.testbench.simulators.truth import Score, score
from journey.testbench.station import StationConfig, load_station


def _utilisation(result: RunResult, resource: str) -> float:
    held = sum(
        (booking.released_at or booking.granted_at) - booking.granted_at
        for booking in result.bookings
        if resource in booking.resources
    )
    return held / result.elapsed_s if result.elapsed_s else 0.0


def run_testbench_benchmark(
    *,
    cards: int = 80,
    sites: int = 4,
    seed: int = 7,
    defect_rate: float = 0.15,
    timing: Timing | None = None,
    station: StationConfig | None = None,
    json_output: bool = False,
) -> dict[str, Any]:
    config = station or load_station()
    positions = sorted(config.positions)
    if sites > len(positions):
        raise ValueError(f"the station has {len(positions)} positions, not {sites}")
    simulation = SimulationConfig(seed=seed, timing=timing or Timing()).with_defect_rate(
        defect_rate
    )
    ids = [f"B{seed:04d}-{index:05d}" for index in range(1, cards + 1)]
    started = time.monotonic()
    with SimulatorHost(config, simulation) as host:
        bench = open_station(host.station())
        try:
            _progress(f"single-site run: {cards} cards")
            single = MultiSiteRunner(bench, sites=positions[:1]).run(ids)
            _progress(f"{sites}-site run: the same {cards} cards")
            multi = MultiSiteRunner(bench, sites=positions[:sites]).run(ids)
            refusals = bench.routes.refusals
        finally:
            bench.close()
        truths = host.call(lambda sim: {dut: sim.truth(dut) for dut in ids})
    single_score = score(single.records, truths, config)
    multi_score = score(multi.records, truths, config)
    both = score([*single.records, *multi.records], truths, config)
    figures: dict[str, Any] = {
        "single_site_cards_per_min": round(single.cards_per_min, 1),
        "multi_site_cards_per_min": round(multi.cards_per_min, 1),
        "speedup": round(multi.cards_per_min / single.cards_per_min, 3)
        if single.cards_per_min
        else 0.0,
        "accuracy": round(both.accuracy, 4),
        "single_site_accuracy": round(single_score.accuracy, 4),
        "multi_site_accuracy": round(multi_score.accuracy, 4),
        "max_f0_error_pct": round(both.max_f0_error_pct, 4),
        "false_passes": both.false_passes,
        "false_fails": both.false_fails,
        "errors": sum(1 for r in [*single.records, *multi.records] if r.verdict.value == "ERROR"),
        "defective_cards": sum(1 for truth in truths.values() if truth.defect.value != "none"),
        "retries": sum(r.retries for r in [*single.records, *multi.records]),
        "double_bookings": len(multi.overlaps()),
        "route_refusals": refusals,
        "sa_utilisation_multi": round(_utilisation(multi, "sa"), 3),
        "cards": cards,
        "sites": sites,
        "seed": seed,
        "defect_rate": defect_rate,
        "timing_ms": {
            "vna_sweep": simulation.timing.vna_sweep_s * 1000,
            "sa_sweep": simulation.timing.sa_sweep_s * 1000,
            "relay_settle": simulation.timing.relay_settle_s * 1000,
            "handler_motion": simulation.timing.handler_s * 1000,
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    if json_output:
        print(json.dumps(figures))
    else:
        _print(figures, both)
    return figures


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print(figures: dict[str, Any], both: Score) -> None:
    print(
        f"single-site   {figures['single_site_cards_per_min']:8.1f} cards/min\n"
        f"{figures['sites']}-site        {figures['multi_site_cards_per_min']:8.1f} cards/min"
        f"   speedup {figures['speedup']:.2f}x\n"
        f"accuracy      {figures['accuracy'] * 100:8.2f} % of verdicts agree with hidden truth"
        f" ({figures['false_passes']} false passes, {figures['false_fails']} false fails,"
        f" {figures['errors']} errors)\n"
        f"f0 error      {figures['max_f0_error_pct']:8.4f} % at worst\n"
        f"double bookings {figures['double_bookings']}, route refusals"
        f" {figures['route_refusals']}, analyzer busy {figures['sa_utilisation_multi'] * 100:.0f} %"
        f" of the multi-site run, {figures['retries']} phase retries\n"
        f"{figures['cards']} cards per run ({figures['defective_cards']} defective), seed"
        f" {figures['seed']}, {figures['seconds']} s"
    )
    for line in both.disagreements:
        print(f"  disagreement: {line}")
