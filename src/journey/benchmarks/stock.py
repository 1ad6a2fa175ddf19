"""The stock benchmark: what one stock command costs as a card design's stream grows.

Every card of a design reserves and consumes a plastic on the design's one stock stream, so that
stream holds every card the bank ever issued in the design. Here one design takes `cards` cards
(a reserve and a consume each) through the kernel as `journey serve` builds it (SQLite, snapshots
every 100 events); at each checkpoint the next `window` cards are timed twice, in the same run:

- **kept**: as shipped, the stock aggregate kept in memory between commands (`keep_in_memory`),
  caught up with the events stored after it (usually none);
- **rebuilt**: the same commands with the aggregate rebuilt for each one, as every aggregate is
  by default: its latest snapshot decoded (every card it ever held) and the events after it
  replayed.

SQLite runs with `synchronous=NORMAL` (no fsync per commit): what grows with the stream is the
work of loading and deciding, and an fsync per command would only add the disk's constant. The
cards here are never activated, so the stock never retires their plastics and remembers every
one: the worst case (in a journey, an active card's plastic is forgotten).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from journey.bootstrap import bootstrap
from journey.command_side.stock import (
    ConsumePlastic,
    PlasticStock,
    ReceivePlastics,
    ReservePlastic,
    stock_module,
)
from journey.cqrs.privacy.keystore import MemoryKeyStore
from journey.cqrs.runtime import Kernel
from journey.log_config import configure_logging
from journey.settings import Settings

DESIGN = "classic-blue"
CHECKPOINTS = (1_000, 5_000, 10_000)
WINDOW = 200  # cards timed at each checkpoint, in each mode


@contextmanager
def rebuilt_each_command() -> Iterator[None]:
    """The stock aggregate rebuilt for every command, as aggregates that do not opt in are."""
    PlasticStock.keep_in_memory = False
    try:
        yield
    finally:
        PlasticStock.keep_in_memory = True


class Cards:
    """Numbers the cards so that no card is reserved twice across the run."""

    def __init__(self) -> None:
        self.issued = 0

    async def issue(self, kernel: Kernel, count: int) -> None:
        send = kernel.commands.send
        for _ in range(count):
            card = f"card-{self.issued:07d}"
            await send(
                ReservePlastic(design_code=DESIGN, card_id=card, application_id=f"app-{card}")
            )
            await send(ConsumePlastic(design_code=DESIGN, card_id=card))
            self.issued += 1


async def _timed_ms_per_command(kernel: Kernel, cards: Cards, window: int) -> float:
    started = time.perf_counter()
    await cards.issue(kernel, window)
    return (time.perf_counter() - started) * 1000 / (2 * window)


async def run_once(folder: Path, checkpoints: tuple[int, ...], window: int) -> list[dict[str, Any]]:
    settings = Settings(
        event_store=f"sqlite:///{folder / 'stock.db'}",
        key_store="memory",
        sqlite_synchronous="NORMAL",
    )
    kernel = await bootstrap(settings, modules=[stock_module()], keys=MemoryKeyStore())
    try:
        total = max(checkpoints) + 2 * window * len(checkpoints)
        await kernel.commands.send(
            ReceivePlastics(design_code=DESIGN, quantity=total, batch_ref="B1")
        )
        cards = Cards()
        points = []
        for checkpoint in checkpoints:
            await cards.issue(kernel, max(0, checkpoint - cards.issued))
            at = cards.issued
            _progress(f"{at:,} cards on the stream")
            kept = await _timed_ms_per_command(kernel, cards, window)
            with rebuilt_each_command():
                rebuilt = await _timed_ms_per_command(kernel, cards, window)
            points.append({"cards": at, "kept_ms": kept, "rebuilt_ms": rebuilt})
        return points
    finally:
        await kernel.close()


def run_stock_benchmark(
    *,
    runs: int = 3,
    checkpoints: tuple[int, ...] = CHECKPOINTS,
    window: int = WINDOW,
    json_output: bool = False,
) -> dict[str, Any]:
    """Median ms per stock command at each checkpoint, kept vs rebuilt (JSON or a table)."""
    if runs < 1 or window < 1 or not checkpoints or min(checkpoints) < 0:
        raise ValueError("runs and window must be at least 1, checkpoints at least 0")
    configure_logging("error")
    every_run: list[list[dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="journey-bench-stock-") as scratch:
        for number in range(runs):
            _progress(f"run {number + 1}/{runs}")
            folder = Path(scratch) / f"run{number}"
            folder.mkdir()
            every_run.append(asyncio.run(run_once(folder, tuple(sorted(checkpoints)), window)))
    result: dict[str, Any] = {"runs": runs, "window_cards": window}
    for index, point in enumerate(every_run[0]):
        kept = statistics.median(run[index]["kept_ms"] for run in every_run)
        rebuilt = statistics.median(run[index]["rebuilt_ms"] for run in every_run)
        cards = point["cards"]
        result[f"kept_ms_at_{cards}"] = round(kept, 3)
        result[f"rebuilt_ms_at_{cards}"] = round(rebuilt, 3)
        result[f"speedup_at_{cards}"] = round(rebuilt / kept, 1)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        _print(result, [point["cards"] for point in every_run[0]])
    return result


def _print(result: dict[str, Any], cards: list[int]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Stock commands on one design's stream (medians of {result['runs']} runs)")
    table.add_column("cards on the stream", justify="right")
    table.add_column("kept (as shipped) ms", justify="right")
    table.add_column("rebuilt each command ms", justify="right")
    table.add_column("rebuilt / kept", justify="right")
    for at in cards:
        table.add_row(
            f"{at:,}",
            str(result[f"kept_ms_at_{at}"]),
            str(result[f"rebuilt_ms_at_{at}"]),
            f"{result[f'speedup_at_{at}']}x",
        )
    Console().print(table)


def _progress(message: str) -> None:
    sys.stderr.write(f"[bench stock] {message}\n")
    sys.stderr.flush()
