"""Building kernels for tests on any storage adapter, with the account domain installed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journey.bootstrap import bootstrap
from journey.cqrs.clock import Clock, ManualClock
from journey.cqrs.module import Module
from journey.cqrs.privacy.keystore import KeyStore, MemoryKeyStore
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.port import Storage
from journey.settings import Settings
from tests.support.domain import ACCOUNT_EVENTS, ACCOUNT_HANDLERS

ACCOUNTS = Module(name="accounts", events=ACCOUNT_EVENTS, commands=ACCOUNT_HANDLERS)


async def kernel_on(
    storage: Storage,
    *,
    modules: Sequence[Module] = (ACCOUNTS,),
    clock: Clock | None = None,
    keys: KeyStore | None = None,
    command_retry: RetryPolicy | None = None,
    **settings: Any,
) -> Kernel:
    return await bootstrap(
        Settings(event_store="memory", key_store="memory", **settings),
        modules=modules,
        storage=storage,
        keys=keys or MemoryKeyStore(),
        clock=clock or ManualClock(),
        command_retry=command_retry,
    )
