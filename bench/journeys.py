"""Journey benchmark: whole onboarding journeys per second on the embedded default (SQLite,
zero-latency simulators, the simulated RF station, the local SMTP sink), next to the kernel
benchmark's commands/s from the same run. Same as `journey bench journey [--json]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from journey.benchmarks.journey import run_journey_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--runs", type=int, default=3, help="runs (medians are kept)")
    parser.add_argument("--customers", type=int, default=60, help="journeys per run")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile of the first run")
    args = parser.parse_args()
    run_journey_benchmark(
        runs=args.runs, customers=args.customers, json_output=args.json, profile=args.profile
    )


if __name__ == "__main__":
    main()
