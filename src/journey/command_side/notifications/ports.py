"""The delivery ports: a `Mailer` for email and an `SmsSender` for text messages.

Both tell two kinds of failure apart, because the service treats them oppositely:
`DeliveryRejected` (the recipient is refused for good: recorded, never retried) and anything else
(a passing failure: raised, so the scheduler retries with backoff and finally parks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


class DeliveryFailed(Exception):
    """A passing failure (server down, timeout, a 4xx answer): worth retrying later.

    The message names the provider and a status, never the recipient.
    """


class DeliveryRejected(Exception):
    """The recipient was refused for good (a malformed address, a 5xx for the mailbox).

    `reason` is a short code safe to record and log (it never quotes the address).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Mailer(Protocol):
    """Sends one email. Re-sending a message with the same Message-ID must be harmless to the
    receiving side (our sink drops it; real mail systems commonly collapse duplicates)."""

    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True, slots=True)
class TextMessage:
    """One SMS. `reference` is our id for it: providers use it to drop a repeated submission."""

    to: str
    text: str
    reference: str


class SmsSender(Protocol):
    """Submits text messages to an SMS provider; answers the provider's message id."""

    async def send(self, message: TextMessage) -> str: ...
