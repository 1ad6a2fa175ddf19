"""The query bus: routes each query to its handler, which may only read."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from journey.cqrs.messages import Query
from journey.cqrs.records import StoredEvent
from journey.cqrs.store.model import Document
from journey.cqrs.store.port import Scalar, Storage

R = TypeVar("R")
Q = TypeVar("Q", bound=Query[Any])


class ReadModels:
    """The read-only face of the store that query handlers get: documents and the log."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def get(self, collection: str, key: str) -> Document | None:
        return await self._storage.get_document(collection, key)

    async def find(
        self,
        collection: str,
        *,
        where: Mapping[str, Scalar] | None = None,
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 100,
        offset: int = 0,
        fields: Sequence[str] | None = None,
    ) -> list[Document]:
        return await self._storage.find_documents(
            collection,
            where=where,
            order_by=order_by,
            descending=descending,
            limit=limit,
            offset=offset,
            fields=fields,
        )

    async def count(self, collection: str, *, where: Mapping[str, Scalar] | None = None) -> int:
        return await self._storage.count_documents(collection, where=where)

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        return await self._storage.read_stream(stream_id)

    async def checkpoint(self, consumer: str) -> int:
        return await self._storage.get_checkpoint(consumer)

    async def wait_for(self, consumer: str, position: int, timeout: float) -> bool:
        """Read-your-writes: wait until `consumer` has processed the log up to `position`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while await self._storage.get_checkpoint(consumer) < position:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            await asyncio.sleep(min(0.01, remaining))
        return True


QueryHandler = Callable[[Q, ReadModels], Awaitable[Any]]


class QueryBus:
    def __init__(self, read_models: ReadModels) -> None:
        self._read_models = read_models
        self._handlers: dict[type[Query[Any]], QueryHandler[Any]] = {}

    def register(self, query_type: type[Q], handler: QueryHandler[Q]) -> None:
        if query_type in self._handlers:
            raise ValueError(f"{query_type.__name__} already has a handler")
        self._handlers[query_type] = handler

    async def ask(self, query: Query[R]) -> R:
        handler = self._handlers.get(type(query))
        if handler is None:
            raise LookupError(f"no handler for query {type(query).__name__}")
        return cast(R, await handler(query, self._read_models))
