"""The kernel at run time: the buses plus everything that runs in the background."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import structlog

from journey.cqrs.broker.port import Broker
from journey.cqrs.bus.command_bus import CommandBus
from journey.cqrs.bus.query_bus import QueryBus
from journey.cqrs.clock import Clock
from journey.cqrs.pacing import UNPACED, Pacer
from journey.cqrs.privacy.keystore import KeyStore
from journey.cqrs.projections import Projections
from journey.cqrs.relay import Relay
from journey.cqrs.scheduler import Scheduler
from journey.cqrs.serialization import EventCodec, EventRegistry
from journey.cqrs.store.model import DeadLetterStatus
from journey.cqrs.store.port import Storage
from journey.cqrs.subscription import CatchUpSubscription

_log = structlog.get_logger("journey.kernel")


@dataclass
class Kernel:
    """Built by `journey.bootstrap.bootstrap`; `start` runs the background work, `stop` ends it."""

    storage: Storage
    keys: KeyStore
    registry: EventRegistry
    codec: EventCodec
    clock: Clock
    commands: CommandBus
    queries: QueryBus
    scheduler: Scheduler
    projections: Projections
    consumers: list[CatchUpSubscription]  # sagas and other reactors fed from the log
    broker: Broker
    relay: Relay
    pacer: Pacer = UNPACED  # what the API marks commands on; bootstrap gives its loops' pacer
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def subscriptions(self) -> list[CatchUpSubscription]:
        return [*self.projections.subscriptions.values(), *self.consumers]

    def subscription(self, name: str) -> CatchUpSubscription:
        for subscription in self.subscriptions:
            if subscription.name == name:
                return subscription
        raise LookupError(f"no consumer named {name!r}")

    async def start(self) -> None:
        """Run projections, sagas, the scheduler and the relay until `stop`."""
        if self._tasks:
            return
        self._stop.clear()
        loop = asyncio.get_running_loop()
        for subscription in self.subscriptions:
            self._tasks.append(
                loop.create_task(subscription.run(self._stop), name=f"journey-{subscription.name}")
            )
        self._tasks.append(
            loop.create_task(self.scheduler.run(self._stop), name="journey-scheduler")
        )
        self._tasks.append(loop.create_task(self.relay.run(self._stop), name="journey-relay"))
        _log.info("kernel started", consumers=[s.name for s in self.subscriptions])

    async def _behind(self) -> list[CatchUpSubscription]:
        """The subscriptions with something to do: events past their checkpoint, or a redrive
        asked for. Three queries in all, instead of a few per subscription."""
        head = await self.storage.last_position()
        checkpoints = await self.storage.list_checkpoints()
        redrives = {
            letter.consumer
            for letter in await self.storage.list_dead_letters(
                statuses=[DeadLetterStatus.REDRIVE_REQUESTED], limit=100_000
            )
        }
        return [
            subscription
            for subscription in self.subscriptions
            if checkpoints.get(subscription.name, 0) < head or subscription.name in redrives
        ]

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            # A task that does not wind down in time is cancelled by wait_for; either way it ends.
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=5)
        self._tasks.clear()

    async def close(self) -> None:
        await self.stop()
        await self.broker.close()
        await self.storage.close()
        await self.keys.close()

    async def settle(self, *, max_rounds: int = 1000) -> int:
        """Run every background step until nothing is left to do (tests, demos, the CLI).

        Timers due later stay pending: advance the clock and settle again.
        """
        total = 0
        for _ in range(max_rounds):
            done = 0
            # Together, as they run in `start`: their commits then share the store's group
            # commits (one fsync for all) instead of waiting for one fsync each in turn.
            # Every one finishes before a failure is raised, so none is left running.
            behind = await self._behind()
            for moved in await asyncio.gather(
                *(subscription.run_until_caught_up() for subscription in behind),
                return_exceptions=True,
            ):
                if isinstance(moved, BaseException):
                    raise moved
                done += moved
            done += await self.scheduler.fire_due()
            done += await self.relay.run_until_caught_up()
            total += done
            if not done:
                return total
        raise RuntimeError(f"the kernel did not settle within {max_rounds} rounds")
