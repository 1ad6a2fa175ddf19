"""The welcome email reaches a real SMTP sink once: repeated commands, a crash, a bounce."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from journey.command_side.notifications import (
    GetNotifications,
    Mailbox,
    Mailer,
    Notifications,
    SimulatedSms,
    SmtpMailer,
    SmtpSettings,
    SmtpSink,
    notifications_module,
)
from journey.cqrs.clock import ManualClock
from journey.cqrs.privacy.sqlite_keystore import SqliteKeyStore
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.sqlite import SqliteStorage
from tests.support.kernel import kernel_on
from tests.support.notifications import EMAIL, NAME, DeliversThenFails, notify, stream_types

MESSAGE_ID = "<app-42.card_shipped@journey>"


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink(Mailbox(), port=0) as running:
        yield running


async def start_process(tmp_path: Path, clock: ManualClock, mailer: Mailer) -> Kernel:
    """One `journey` process: its own kernel over the shared event store and key files."""
    return await kernel_on(
        await SqliteStorage(tmp_path / "journey.db").open(),
        modules=[notifications_module(mailer=mailer, sms=SimulatedSms())],
        clock=clock,
        keys=SqliteKeyStore(tmp_path / "keys.db"),
    )


def smtp(sink: SmtpSink) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, timeout=5))


async def test_the_welcome_email_with_its_letter_arrives_once_when_the_command_comes_twice(
    tmp_path: Path, sink: SmtpSink
) -> None:
    kernel = await start_process(tmp_path, ManualClock(), smtp(sink))
    command = notify("card_shipped", application_id="app-42")
    first = await kernel.commands.send(command)
    second = await kernel.commands.send(command)
    await kernel.settle()
    third = await kernel.commands.send(command)
    await kernel.settle()
    assert first.value == second.value == third.value

    [mail] = sink.mailbox.messages()
    assert mail.message_id == MESSAGE_ID
    assert mail.recipients == (EMAIL,)
    assert NAME in mail.to
    assert mail.subject == "Welcome! Your Gold Mastercard is on its way"
    assert mail.text is not None
    assert "ending in 4242" in mail.text
    [letter] = mail.attachments
    assert (letter.filename, letter.content_type) == ("welcome-letter.pdf", "application/pdf")
    assert letter.data.startswith(b"%PDF-")
    assert letter.data.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext"):
        (tmp_path / "letter.pdf").write_bytes(letter.data)
        out = await asyncio.to_thread(
            subprocess.run,
            ["pdftotext", str(tmp_path / "letter.pdf"), "-"],
            capture_output=True,
            check=True,
            timeout=30,
        )
        assert "\u2022\u2022\u2022\u2022 4242" in out.stdout.decode()
    assert sink.mailbox.duplicates_dropped == 0  # the command side never even re-sent it
    await kernel.close()


async def test_a_crash_between_delivery_and_its_record_sends_nothing_new_after_the_restart(
    tmp_path: Path, sink: SmtpSink
) -> None:
    clock = ManualClock()
    crashing = DeliversThenFails(smtp(sink))
    before = await start_process(tmp_path, clock, crashing)
    await before.commands.send(notify("card_shipped", application_id="app-42"))
    await before.settle()
    # The server has the email, but the process never recorded that it was sent.
    assert [m.message_id for m in sink.mailbox.messages()] == [MESSAGE_ID]
    stream = Notifications.stream_id_for("app-42")
    assert (await stream_types(before, stream)).count("NotificationSent") == 1  # the SMS only
    await before.close()

    after = await start_process(tmp_path, clock, smtp(sink))
    clock.advance(timedelta(minutes=30))  # the retry falls due
    await after.settle()
    assert [m.message_id for m in sink.mailbox.messages()] == [MESSAGE_ID]
    assert sink.mailbox.duplicates_dropped == 1  # the resend kept its Message-ID and was dropped
    sent = [
        orjson.loads(record.data)["channel"]
        for record in await after.storage.read_stream(stream)
        if record.event_type == "NotificationSent"
    ]
    assert sorted(sent) == ["email", "sms"]
    await after.commands.send(notify("card_shipped", application_id="app-42"))
    clock.advance(timedelta(hours=1))
    await after.settle()
    assert len(sink.mailbox) == 1
    assert sink.mailbox.duplicates_dropped == 1
    assert crashing.calls == 1
    await after.close()


async def test_a_bounce_from_the_server_is_recorded_and_not_retried(
    tmp_path: Path, sink: SmtpSink
) -> None:
    clock = ManualClock()
    kernel = await start_process(tmp_path, clock, smtp(sink))
    await kernel.commands.send(
        notify("application_received", application_id="app-43", email="bounce@example.com")
    )
    await kernel.settle()
    clock.advance(timedelta(hours=1))
    await kernel.settle()
    view = await kernel.queries.ask(GetNotifications(application_id="app-43"))
    assert view is not None
    milestone = view["milestones"]["application_received"]
    assert (milestone["status"], milestone["failed"]["email"]["reason"]) == (
        "failed",
        "recipient_refused_550",
    )
    assert len(sink.mailbox) == 0
    assert await kernel.storage.due_scheduled(clock.now() + timedelta(days=30)) == []
    await kernel.close()
