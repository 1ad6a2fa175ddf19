"""Test bench benchmark: single-site vs multi-site cards/min on the same simulated lot.

Run it with `python bench/testbench.py` (or `journey bench testbench`); `--json` prints one JSON
object. Simulated instruments with realistic timings serve on loopback sockets and the station
drives them through PyVISA, exactly as it would real LAN instruments. The same cards (same seed)
are tested single-site, then on `--sites` positions at once; verdicts are scored against the
simulator's hidden truth.
"""

from __future__ import annotations

import argparse

from journey.benchmarks.testbench import run_testbench_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--cards", type=int, default=80, help="cards per run")
    parser.add_argument("--sites", type=int, default=4, help="sites in the multi-site run")
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated lot")
    parser.add_argument("--defect-rate", type=float, default=0.15, help="share of bad cards")
    args = parser.parse_args()
    run_testbench_benchmark(
        cards=args.cards,
        sites=args.sites,
        seed=args.seed,
        defect_rate=args.defect_rate,
        json_output=args.json,
    )


if __name__ == "__main__":
    main()
