"""Kernel benchmark: our kernel vs the `eventsourcing` library vs raw sqlite3, in one process.

Run it with `python bench/kernel.py` (or `journey bench kernel`); `--json` prints one JSON object.

Every run does all of the workloads below, interleaved, on fresh SQLite files in a temporary
directory; the figures reported are the medians over the runs.

- ours, distinct: our kernel bootstrapped on a SQLite file (WAL, synchronous=FULL), default
  command-bus middleware. `--callers` asyncio tasks each send `Increment` commands (load a
  counter aggregate, decide one event, commit) to counters of their own, ten commands per counter.
- eventsourcing, distinct: the same shape with `eventsourcing` 9.5.6 (`Application` + `Aggregate`
  with `@event`, SQLite file, WAL; its synchronous level is read back with a PRAGMA), one thread
  per caller: `repository.get`, one method call, `save`. It runs fewer commands (it is slow);
  rates stay comparable. Neither side caches aggregates.
- shared: both again, but every caller works on a small hot set of counters (callers // 4, at
  least 2) that moves on every callers * 10 commands; conflicts are retried (ours through the
  bus's retry middleware, the peer up to 10 times), only successful commands count.
- raw sqlite3: event-shaped rows inserted with the stdlib driver (WAL, synchronous=FULL), one row
  per transaction (the one-fsync-per-write limit) and 100 rows per transaction.
- dispatch: a trivial command to a do-nothing handler in a tight loop, through our `CommandBus`
  and through `python-cqrs` 5.3.0's request mediator, both without middleware.

The peers are development dependencies: `pip install -e '.[dev]'`.
"""

from __future__ import annotations

import argparse

from journey.benchmarks.kernel import run_kernel_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--runs", type=int, default=7, help="interleaved runs (medians are kept)")
    parser.add_argument("--callers", type=int, default=50, help="concurrent callers")
    parser.add_argument("--commands", type=int, default=4000, help="commands per run")
    args = parser.parse_args()
    run_kernel_benchmark(
        runs=args.runs, callers=args.callers, commands=args.commands, json_output=args.json
    )


if __name__ == "__main__":
    main()
