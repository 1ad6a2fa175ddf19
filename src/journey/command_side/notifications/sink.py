"""A local SMTP sink: a real SMTP server (aiosmtpd) that keeps what it receives in a `Mailbox`.

`journey serve` runs one on 127.0.0.1 so the journey's emails can be read in the console without
any mail setup; tests use one on a free port to exercise the real SMTP path. The mailbox drops a
message whose Message-ID it has already received (answering 250, as a deduplicating mail system
would), which is the receiving half of the notifications' delivered-once design.

It holds customers' addresses and letters: it is a development and demo tool, bound to loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from journey.command_side.notifications.settings import SmtpSettings
from journey.cqrs.clock import Clock, SystemClock
from journey.cqrs.ids import new_id

DATA_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class MailAttachment:
    filename: str | None
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One message as the sink received it, parsed for display."""

    message_id: str
    mail_from: str  # the envelope sender
    recipients: tuple[str, ...]  # the envelope recipients
    to: str  # the To header as written
    subject: str
    date: datetime | None
    text: str | None
    html: str | None
    attachments: tuple[MailAttachment, ...]
    headers: tuple[tuple[str, str], ...]
    received_at: datetime
    raw: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def size(self) -> int:
        return len(self.raw)


class Mailbox:
    """Received mail, newest first: the last `capacity` messages in memory, and every message as
    an `.eml` file when `directory` is given (read back by `load`, so a restart keeps them and
    still recognises their Message-IDs)."""

    def __init__(
        self,
        capacity: int = 500,
        directory: Path | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        if capacity < 1:
            raise ValueError("a mailbox holds at least one message")
        self.capacity = capacity
        self.directory = directory
        self.duplicates_dropped = 0
        self._clock = clock or SystemClock()
        # Oldest first. A message is parsed when first read, not as it arrives: parsing MIME
        # cost more than receiving it, and most of a busy server's mail is never looked at.
        self._messages: OrderedDict[str, ReceivedMail | _Unparsed] = OrderedDict()
        # Digests of every Message-ID received; bounded in memory only when nothing is on disk.
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_capacity = None if directory is not None else capacity * 20

    def __len__(self) -> int:
        return len(self._messages)

    def messages(self, limit: int | None = None, offset: int = 0) -> list[ReceivedMail]:
        """Newest first."""
        newest = list(reversed(self._messages))
        return [
            self._parsed(key) for key in newest[offset : None if limit is None else offset + limit]
        ]

    def get(self, message_id: str) -> ReceivedMail | None:
        key = message_id.strip()
        return self._parsed(key) if key in self._messages else None

    def _parsed(self, key: str) -> ReceivedMail:
        kept = self._messages[key]
        if isinstance(kept, _Unparsed):
            kept = parse_mail(
                kept.raw,
                mail_from=kept.mail_from,
                recipients=kept.recipients,
                received_at=kept.received_at,
                message_id=kept.message_id,
            )
            self._messages[key] = kept  # replacing a value keeps its place in the order
        return kept

    def clear(self) -> None:
        """Forget the messages in memory (files on disk and known Message-IDs stay)."""
        self._messages.clear()

    def load(self) -> int:
        """Read the directory's `.eml` files (blocking; `SmtpSink.start` runs it off the loop)."""
        if self.directory is None:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        files = sorted(self.directory.glob("*.eml"), key=lambda path: path.stat().st_mtime)
        for path in files:
            self._seen[path.stem] = None
        for path in files[-self.capacity :]:
            received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            raw = path.read_bytes()
            self._keep(_Unparsed(message_id_of(raw), raw, "", (), received))
        return len(files)

    async def deliver(self, raw: bytes, *, mail_from: str, recipients: Sequence[str]) -> bool:
        """Keep a received message; False when its Message-ID was received before (dropped)."""
        message_id = message_id_of(raw)
        digest = _digest(message_id)
        if digest in self._seen:
            self.duplicates_dropped += 1
            return False
        # Claimed before any await, so a concurrent copy of the same message is dropped too.
        self._remember(digest)
        if self.directory is not None:
            await asyncio.to_thread(self._write, self.directory / f"{digest}.eml", raw)
        self._keep(_Unparsed(message_id, raw, mail_from, tuple(recipients), self._clock.now()))
        return True

    def _keep(self, mail: _Unparsed) -> None:
        self._messages[mail.message_id] = mail
        while len(self._messages) > self.capacity:
            self._messages.popitem(last=False)

    def _remember(self, digest: str) -> None:
        self._seen[digest] = None
        if self._seen_capacity is not None:
            while len(self._seen) > self._seen_capacity:
                self._seen.popitem(last=False)

    @staticmethod
    def _write(path: Path, raw: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(raw)
        partial.replace(path)  # a reader never sees half a message


@dataclass(frozen=True, slots=True)
class _Unparsed:
    """A message received but not yet read: what `parse_mail` needs, and its Message-ID."""

    message_id: str
    raw: bytes
    mail_from: str
    recipients: tuple[str, ...]
    received_at: datetime


def message_id_of(raw: bytes) -> str:
    """The Message-ID header (headers only, no MIME parsing), or a made-up one without it."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    found = headers.get("Message-ID")
    value = "" if found is None else " ".join(str(found).split())
    return value or f"<{new_id()}@sink>"


def parse_mail(
    raw: bytes,
    *,
    mail_from: str,
    recipients: Sequence[str],
    received_at: datetime,
    message_id: str | None = None,
) -> ReceivedMail:
    """Parse a message for display; never fails on odd input (the sink accepts anything)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # the default policy builds EmailMessage
    message_id = message_id or message_id_of(raw)
    text = html = None
    attachments: list[MailAttachment] = []
    with contextlib.suppress(Exception):  # a malformed body still shows its headers
        text = _content(message.get_body(preferencelist=("plain",)))
        html = _content(message.get_body(preferencelist=("html",)))
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            attachments.append(MailAttachment(part.get_filename(), part.get_content_type(), data))
    date = None
    with contextlib.suppress(Exception):
        header = message["Date"]
        date = None if header is None else header.datetime
    return ReceivedMail(
        message_id=message_id,
        mail_from=mail_from,
        recipients=tuple(recipients),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=date,
        text=text,
        html=html,
        attachments=tuple(attachments),
        headers=tuple((key, str(value)) for key, value in message.items()),
        received_at=received_at,
        raw=raw,
    )


def _content(part: Any) -> str | None:
    if part is None:
        return None
    content = part.get_content()
    # SMTP carries CRLF line ends; show text the way it was written.
    return content.replace("\r\n", "\n") if isinstance(content, str) else None


def _digest(message_id: str) -> str:
    # File names and dedupe keys are digests: a Message-ID is text from outside.
    return hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()[:32]


def refuse_bounce_addresses(address: str) -> bool:
    """The sink's default: refuse (550) recipients whose local part starts with `bounce`, so a
    hard bounce can be demonstrated and tested over real SMTP."""
    return address.partition("@")[0].lower().startswith("bounce")


class _SinkHandler:
    """aiosmtpd handler: refuse some recipients, hand accepted data to the mailbox."""

    def __init__(self, mailbox: Mailbox, refuse: Callable[[str], bool]) -> None:
        self._mailbox = mailbox
        self._refuse = refuse

    # The hook names are aiosmtpd's.
    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self._refuse(address):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        stored = await self._mailbox.deliver(
            raw, mail_from=envelope.mail_from or "", recipients=envelope.rcpt_tos
        )
        return "250 2.0.0 Message accepted" if stored else "250 2.0.0 Duplicate dropped"


class SmtpSink:
    """A real SMTP server on the running event loop, storing what it receives in `mailbox`.

    `port=0` picks a free port (read `port` after `start`). Use `async with` or start/stop.
    """

    def __init__(
        self,
        mailbox: Mailbox | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 8025,
        refuse: Callable[[str], bool] = refuse_bounce_addresses,
        server_name: str = "journey-sink",
    ) -> None:
        self.mailbox = mailbox if mailbox is not None else Mailbox()
        self.host = host
        self._port = port
        self._refuse = refuse
        self._server_name = server_name
        self._server: asyncio.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self.sessions_opened = 0  # SMTP conversations accepted (clients may reuse one)

    @classmethod
    def from_settings(cls, settings: SmtpSettings | None = None) -> SmtpSink:
        """The sink `journey serve` runs (when `settings.runs_local_sink`): on loopback, at the
        port the mailer sends to. It never listens beyond this machine: it keeps customers'
        mail."""
        settings = settings or SmtpSettings()
        return cls(
            Mailbox(settings.sink_capacity, settings.sink_dir),
            host="::1" if settings.host == "::1" else "127.0.0.1",
            port=settings.port,
        )

    @property
    def port(self) -> int:
        return self._port

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return
        # aiosmtpd logs every sender and recipient address at INFO: keep addresses out of logs.
        smtp_log = logging.getLogger("mail.log")
        smtp_log.setLevel(max(smtp_log.getEffectiveLevel(), logging.WARNING))
        await asyncio.to_thread(self.mailbox.load)
        loop = asyncio.get_running_loop()
        handler = _SinkHandler(self.mailbox, self._refuse)

        def session() -> SMTP:
            opened = SMTP(
                handler,
                hostname=self._server_name,
                data_size_limit=DATA_SIZE_LIMIT,
                timeout=60,
                loop=loop,
            )
            self._sessions.add(opened)
            self.sessions_opened += 1
            return opened

        self._server = await loop.create_server(
            session,
            host=self.host,
            port=self._port,
        )
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Clients keep connections open between messages: a stopped sink ends them too.
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), timeout=5)

    async def __aenter__(self) -> SmtpSink:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
