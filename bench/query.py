"""Query-side benchmark: prequalification latency (100 concurrent requests, providers at 50 ms,
against the sequential sum and the cached path) and list screening throughput, recall and
precision against a naive scan. Same as `journey bench query [--json]`."""

from __future__ import annotations

import argparse

from journey.benchmarks.query import run_query_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--runs", type=int, default=5, help="prequalification runs (medians)")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--requests", type=int, default=1000, help="requests per run")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="per provider call")
    parser.add_argument("--entries", type=int, default=10_000, help="listed persons to screen")
    parser.add_argument(
        "--replicas", type=int, default=2, help="also spread the load over N processes (1: not)"
    )
    args = parser.parse_args()
    run_query_benchmark(
        runs=args.runs,
        concurrency=args.concurrency,
        requests=args.requests,
        latency_ms=args.latency_ms,
        screening_entries=args.entries,
        replicas=args.replicas,
        json_output=args.json,
    )


if __name__ == "__main__":
    main()
