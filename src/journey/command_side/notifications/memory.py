"""In-process adapters: a `MemoryMailer` for unit tests and a simulated SMS provider.

Both keep what they were given and have knobs to fail like the real thing: a number of passing
failures to come, an outage switch, recipients refused for good.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage

from journey.command_side.notifications.ports import DeliveryFailed, DeliveryRejected, TextMessage

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")


class MemoryMailer:
    """Keeps every message it is asked to send, repeats included (so tests can count them)."""

    name = "memory"

    def __init__(self, refuse: Callable[[str], bool] | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self.attempts = 0  # every call, failures included
        self.fail_next = 0  # how many of the next sends fail with a passing error
        self.down = False
        self._refuse = refuse or (lambda _address: False)

    async def send(self, message: EmailMessage) -> None:
        self.attempts += 1
        if self.down:
            raise DeliveryFailed("the memory mailer is down")
        if self.fail_next > 0:
            self.fail_next -= 1
            raise DeliveryFailed("the memory mailer failed (fail_next)")
        recipient = message["To"].addresses[0].addr_spec
        if self._refuse(recipient):
            raise DeliveryRejected("recipient_refused_550")
        self.sent.append(message)

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.sent]


class SimulatedSms:
    """A simulated SMS provider: validates numbers (E.164), drops a repeated `reference` as
    real providers do with a client reference, and records what it accepted."""

    name = "sms-sim"

    def __init__(self, blocked: set[str] | None = None) -> None:
        self.sent: list[TextMessage] = []
        self.submissions = 0  # every call, repeats and failures included
        self.fail_next = 0
        self.down = False
        self.blocked = set(blocked or ())
        self._ids: dict[str, str] = {}

    async def send(self, message: TextMessage) -> str:
        self.submissions += 1
        if self.down:
            raise DeliveryFailed("the simulated SMS provider is down")
        if self.fail_next > 0:
            self.fail_next -= 1
            raise DeliveryFailed("the simulated SMS provider failed (fail_next)")
        number = normalize_phone(message.to)
        if number is None:
            raise DeliveryRejected("invalid_number")
        if number in self.blocked:
            raise DeliveryRejected("number_blocked")
        known = self._ids.get(message.reference)
        if known is not None:
            return known
        provider_id = f"SM{len(self._ids) + 1:08d}"
        self._ids[message.reference] = provider_id
        self.sent.append(TextMessage(to=number, text=message.text, reference=message.reference))
        return provider_id


def normalize_phone(phone: str) -> str | None:
    """The number in E.164 (`+5491100000001`), or None when it cannot be one."""
    number = _PHONE_PUNCTUATION.sub("", phone)
    return number if _E164.match(number) else None
