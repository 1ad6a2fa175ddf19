"""The broker port, shaped after NATS JetStream so the distributed adapter fits it as is.

- Messages go to **subjects** (`journey.events.<category>.<type>`); subscribers filter with
  `*` (one token) and `>` (the rest).
- A **durable consumer** keeps its place across reconnects; each message is delivered until it is
  acknowledged, at most `max_deliver` times, with `backoff` between redeliveries.
- A message id deduplicates publishing: the relay publishes with id = event id, so publishing the
  same event twice (after a crash) delivers it once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BrokerMessage:
    subject: str
    message_id: str
    data: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Delivery(Protocol):
    """One delivery of a message to a durable consumer."""

    @property
    def message(self) -> BrokerMessage: ...

    @property
    def attempt(self) -> int:
        """1 for the first delivery, 2 for the first redelivery..."""
        ...

    async def ack(self) -> None:
        """Processed: never deliver it again."""
        ...

    async def nak(self, delay: float = 0.0) -> None:
        """Not processed: deliver it again after `delay` seconds."""
        ...

    async def term(self) -> None:
        """Never deliver it again, though it was not processed (the handler parked it)."""
        ...


Handler = Callable[[Delivery], Awaitable[None]]
"""Returning acknowledges (unless the handler settled it); raising asks for a redelivery."""


class Subscription(Protocol):
    async def stop(self) -> None: ...


class Broker(Protocol):
    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        """Publish in order; a message id seen within the dedupe window is dropped."""
        ...

    async def subscribe(
        self,
        *,
        durable: str,
        subjects: Sequence[str],
        handler: Handler,
        max_deliver: int = 5,
        backoff: Sequence[float] = (0.1, 1.0, 5.0),
    ) -> Subscription:
        """Start (or resume) the durable consumer `durable` on the subjects."""
        ...

    async def close(self) -> None: ...
