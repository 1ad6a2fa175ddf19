"""The `Mailer` over real SMTP (aiosmtplib): the local sink by default, any relay in production."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from journey.command_side.notifications.ports import DeliveryFailed, DeliveryRejected
from journey.command_side.notifications.settings import SmtpSettings


@dataclass(slots=True)
class _Connection:
    client: aiosmtplib.SMTP
    idle_since: float  # monotonic


class SmtpMailer:
    """Sends messages over a few kept-open SMTP connections (`settings.connections`).

    Opening a conversation (TCP, greeting, EHLO, maybe STARTTLS and AUTH, QUIT) costs more than
    sending a message over it, on both ends, so connections are reused: one message at a time
    each, dropped after any error or `settings.idle_seconds` unused. A kept connection the
    server has meanwhile closed is replaced once, transparently; `connections=0` opens one
    conversation per message.

    A 5xx answer to the recipient is a hard rejection (`DeliveryRejected`); every other failure
    (connection refused, timeout, 4xx, a refused sender or body) is `DeliveryFailed` and retried:
    those are ours or the server's to fix, not the customer's.
    """

    name = "smtp"

    def __init__(self, settings: SmtpSettings | None = None) -> None:
        self.settings = settings or SmtpSettings()
        self._idle: list[_Connection] = []
        # As many messages at once as there are connections to keep; unlimited without any.
        connections = self.settings.connections
        self._slots = asyncio.Semaphore(connections) if connections else None
        self._closed = False
        self._quitting: set[asyncio.Task[None]] = set()

    async def send(self, message: EmailMessage) -> None:
        async with self._slots or contextlib.nullcontext():
            try:
                await self._send(message)
            except aiosmtplib.SMTPRecipientsRefused as refused:
                codes = sorted({recipient.code for recipient in refused.recipients})
                if codes and all(500 <= code < 600 for code in codes):
                    raise DeliveryRejected(f"recipient_refused_{codes[0]}") from None
                # from None: aiosmtplib's message quotes the address, and tracebacks get logged.
                raise DeliveryFailed(f"smtp refused the recipient for now ({codes})") from None
            except aiosmtplib.SMTPResponseException as error:
                raise DeliveryFailed(f"smtp answered {error.code}") from None
            except aiosmtplib.SMTPException as error:
                raise DeliveryFailed(f"smtp failed ({type(error).__name__})") from None
            except OSError as error:
                raise DeliveryFailed(f"smtp unreachable ({type(error).__name__})") from None

    async def _send(self, message: EmailMessage) -> None:
        kept = self._take_idle()
        if kept is not None:
            try:
                await self._over(kept, message)
                return
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                # The server closed a connection we kept (idle timeout, restart) before this
                # message was accepted: that is the connection's fault, not the message's.
                pass
        fresh = _Connection(self._client(), time.monotonic())
        try:
            await fresh.client.connect()
        except BaseException:
            fresh.client.close()
            raise
        await self._over(fresh, message)

    async def _over(self, connection: _Connection, message: EmailMessage) -> None:
        """Send on `connection`; keep it while it is sound (an answer like a refused recipient
        leaves it reset and usable), close it otherwise."""
        try:
            await connection.client.send_message(message)
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException):
            self._give_back(connection)
            raise
        except BaseException:
            connection.client.close()
            raise
        self._give_back(connection)

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=None if s.password is None else s.password.get_secret_value(),
            use_tls=s.use_tls,
            start_tls=s.starttls,
            validate_certs=s.validate_certs,
            timeout=s.timeout,
            local_hostname=s.local_hostname,
        )

    def _take_idle(self) -> _Connection | None:
        now = time.monotonic()
        while self._idle:
            kept = self._idle.pop()
            if kept.client.is_connected and now - kept.idle_since < self.settings.idle_seconds:
                return kept
            kept.client.close()
        return None

    def _give_back(self, connection: _Connection) -> None:
        if not connection.client.is_connected:
            connection.client.close()
            return
        if self._closed or self.settings.connections == 0:
            quitting = asyncio.get_running_loop().create_task(_quit(connection.client))
            self._quitting.add(quitting)  # held until done: the loop keeps only weak references
            quitting.add_done_callback(self._quitting.discard)
            return
        connection.idle_since = time.monotonic()
        self._idle.append(connection)

    async def aclose(self) -> None:
        """Say goodbye on every kept connection (the platform calls this on shutdown)."""
        self._closed = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(_quit(connection.client) for connection in idle), *self._quitting)


async def _quit(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
        await client.quit(timeout=2)
    client.close()
