"""Stock benchmark: ms per stock command as one card design's stream grows, the stock aggregate
kept in memory between commands (as shipped) vs rebuilt for each one, in the same run. Same as
`journey bench stock [--json]`."""

from __future__ import annotations

import argparse

from journey.benchmarks.stock import CHECKPOINTS, WINDOW, run_stock_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--runs", type=int, default=3, help="runs (medians are kept)")
    parser.add_argument(
        "--cards", type=int, nargs="+", default=list(CHECKPOINTS), help="checkpoints"
    )
    parser.add_argument("--window", type=int, default=WINDOW, help="cards timed per checkpoint")
    args = parser.parse_args()
    run_stock_benchmark(
        runs=args.runs, checkpoints=tuple(args.cards), window=args.window, json_output=args.json
    )


if __name__ == "__main__":
    main()
