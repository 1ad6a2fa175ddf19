"""The composition root: the one place that builds adapters and wires the kernel together.

Entry points (API, CLI, workers) and tests all call `bootstrap`. Nothing does I/O at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journey.cqrs.broker.memory import MemoryBroker
from journey.cqrs.broker.port import Broker
from journey.cqrs.bus.command_bus import CommandBus
from journey.cqrs.bus.middleware import (
    IdempotencyMiddleware,
    LoggingMiddleware,
    RetryOnConflictMiddleware,
    TracingMiddleware,
)
from journey.cqrs.bus.query_bus import QueryBus, ReadModels
from journey.cqrs.clock import Clock, SystemClock
from journey.cqrs.messages import Event
from journey.cqrs.module import Module
from journey.cqrs.pacing import Pacer
from journey.cqrs.privacy.erasure import PersonalDataErased
from journey.cqrs.privacy.keystore import KeyStore, MemoryKeyStore
from journey.cqrs.privacy.sqlite_keystore import SqliteKeyStore
from journey.cqrs.projections import Projection, Projections, StreamCatalog
from journey.cqrs.relay import Relay
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.runtime import Kernel
from journey.cqrs.sagas.definition import SagaDefinition
from journey.cqrs.sagas.events import SAGA_EVENTS
from journey.cqrs.sagas.monitor import SagaMonitor
from journey.cqrs.sagas.runtime import SagaRunner
from journey.cqrs.scheduler import SCHEDULER_EVENTS, Scheduler
from journey.cqrs.serialization import EventCodec, EventRegistry
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.port import Storage
from journey.cqrs.store.sqlite.storage import SqliteStorage
from journey.cqrs.subscription import CatchUpSubscription
from journey.settings import Settings, sqlite_path

KERNEL_EVENTS: tuple[type[Event], ...] = (*SAGA_EVENTS, *SCHEDULER_EVENTS, PersonalDataErased)


async def bootstrap(
    settings: Settings | None = None,
    *,
    modules: Sequence[Module] = (),
    storage: Storage | None = None,
    keys: KeyStore | None = None,
    broker: Broker | None = None,
    clock: Clock | None = None,
    command_retry: RetryPolicy | None = None,
) -> Kernel:
    """Build the kernel from settings; any adapter passed in is used as is (tests, embedding)."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    storage = storage or await open_storage(settings)
    keys = keys or _key_store(settings)
    broker = broker or MemoryBroker()

    registry = EventRegistry()
    registry.register(*KERNEL_EVENTS)
    for module in modules:
        registry.register(*module.events)
        for install in module.upcasters:
            install(registry)
    codec = EventCodec(registry, keys, source=settings.source)

    commands = CommandBus(storage, codec, clock, snapshot_every=settings.snapshot_every)
    commands.use(
        LoggingMiddleware(),
        TracingMiddleware(),
        RetryOnConflictMiddleware(),
        IdempotencyMiddleware(storage),
    )
    queries = QueryBus(ReadModels(storage))
    for module in modules:
        for command_type, handler in module.commands.items():
            commands.register(command_type, handler)
        for query_type, query_handler in module.queries.items():
            queries.register(query_type, query_handler)

    projections: list[Projection] = [StreamCatalog(), SagaMonitor()]
    sagas: list[SagaDefinition[Any]] = []
    for module in modules:
        projections.extend(module.projections)
        sagas.extend(module.sagas)
    linger = settings.consumer_linger_ms / 1000
    pacer = Pacer(share=settings.background_share)
    consumers = [
        CatchUpSubscription(
            SagaRunner(definition),
            storage,
            codec,
            clock,
            poll_interval=settings.poll_interval,
            linger=linger,
            pacer=pacer,
        )
        for definition in sagas
    ]
    return Kernel(
        storage=storage,
        keys=keys,
        registry=registry,
        codec=codec,
        clock=clock,
        commands=commands,
        queries=queries,
        scheduler=Scheduler(
            storage,
            commands,
            codec,
            clock,
            retry=command_retry,
            poll_interval=settings.poll_interval,
            pacer=pacer,
        ),
        projections=Projections(
            storage,
            codec,
            clock,
            projections,
            poll_interval=settings.poll_interval,
            linger=linger,
            pacer=pacer,
        ),
        consumers=consumers,
        broker=broker,
        relay=Relay(storage, broker, poll_interval=settings.poll_interval, pacer=pacer),
        pacer=pacer,
    )


async def open_storage(settings: Settings) -> Storage:
    """The event store the settings name (SQLite opened, or in memory)."""
    if settings.event_store == "memory":
        return MemoryStorage()
    return await SqliteStorage(
        sqlite_path(settings.event_store), synchronous=settings.sqlite_synchronous
    ).open()


def _key_store(settings: Settings) -> KeyStore:
    if settings.key_store == "memory":
        return MemoryKeyStore()
    return SqliteKeyStore(sqlite_path(settings.key_store), master_key=settings.master_key_bytes())
