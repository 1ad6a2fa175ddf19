"""Screening benchmark: indexed screening vs a naive pairwise scan, with recall and precision.

Run it with `python bench/screening.py` (`--json` prints one JSON object); the same figures
appear in `journey bench query --json`.

Synthetic lists of `--entries` sanctioned persons (OFAC CSV + UN XML, through the real loaders)
are screened against a labelled set built from them: variants of listed names (accents, word
order, a missing surname, a typo, initials, Spanish respellings, aliases) that must be raised,
and people of the synthetic population who are on no list (including near-namesakes of listed
persons) who should not be. An evenly spread subset is screened again by scoring every listed
name (no index) in the same run, and the answers are compared.
"""

from __future__ import annotations

import argparse

from journey.benchmarks.screening import run_screening_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--entries", type=int, default=10_000, help="sanctioned persons listed")
    parser.add_argument("--seed", type=int, default=2026, help="population seed")
    parser.add_argument("--sample", type=int, default=1000, help="listed persons to vary")
    parser.add_argument("--negatives", type=int, default=2000, help="unlisted people screened")
    parser.add_argument("--naive", type=int, default=60, help="queries for the naive scan")
    args = parser.parse_args()
    run_screening_benchmark(
        entries=args.entries,
        seed=args.seed,
        sample_entries=args.sample,
        negatives=args.negatives,
        naive_queries=args.naive,
        json_output=args.json,
    )


if __name__ == "__main__":
    main()
