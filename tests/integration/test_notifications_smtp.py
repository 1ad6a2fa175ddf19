"""The SMTP mailer and the local sink over real sockets: delivery, duplicates, bounces, outages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from journey.command_side.notifications import (
    DeliveryFailed,
    DeliveryRejected,
    Mailbox,
    SmtpMailer,
    SmtpSettings,
    SmtpSink,
)
from tests.support.servers import free_port


def message(
    message_id: str = "<a-1.card_shipped@journey>", to: str = "ana@example.com"
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Journey Bank <onboarding@journey.example>"
    mail["To"] = f"Ana Núñez <{to}>"
    mail["Subject"] = "Welcome! Your card is on its way"
    mail["Date"] = "Sat, 14 Mar 2026 09:30:00 +0000"
    mail["Message-ID"] = message_id
    mail.set_content("Hello Ana,\n\nYour card is on its way.\n")
    mail.add_alternative("<p>Hello Ana,</p><p>Your card is on its way.</p>", subtype="html")
    mail.add_attachment(
        b"%PDF-1.7 fake", maintype="application", subtype="pdf", filename="welcome-letter.pdf"
    )
    return mail


def mailer_for(sink: SmtpSink) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, timeout=5))


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink(Mailbox(capacity=10), port=0) as running:
        yield running


async def test_a_message_sent_over_smtp_arrives_in_the_sink_with_its_parts(
    sink: SmtpSink,
) -> None:
    await mailer_for(sink).send(message())
    [received] = sink.mailbox.messages()
    assert received.message_id == "<a-1.card_shipped@journey>"
    assert received.recipients == ("ana@example.com",)
    assert received.mail_from == "onboarding@journey.example"
    assert received.to == "Ana Núñez <ana@example.com>"
    assert received.subject == "Welcome! Your card is on its way"
    assert received.date == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    assert received.text == "Hello Ana,\n\nYour card is on its way.\n"
    assert received.html is not None
    assert "<p>Hello Ana,</p>" in received.html
    [attachment] = received.attachments
    assert (attachment.filename, attachment.content_type, attachment.data) == (
        "welcome-letter.pdf",
        "application/pdf",
        b"%PDF-1.7 fake",
    )
    assert sink.mailbox.get("<a-1.card_shipped@journey>") == received


async def test_the_sink_drops_a_message_whose_message_id_it_already_has(sink: SmtpSink) -> None:
    mailer = mailer_for(sink)
    await mailer.send(message())
    await mailer.send(message())  # accepted (250) like the first, then dropped
    await mailer.send(message("<a-1.card_delivered@journey>"))
    assert [m.message_id for m in sink.mailbox.messages()] == [
        "<a-1.card_delivered@journey>",
        "<a-1.card_shipped@journey>",
    ]
    assert sink.mailbox.duplicates_dropped == 1


async def test_a_bounced_recipient_is_a_hard_rejection(sink: SmtpSink) -> None:
    with pytest.raises(DeliveryRejected) as rejected:
        await mailer_for(sink).send(message(to="bounce@example.com"))
    assert rejected.value.reason == "recipient_refused_550"
    assert "bounce@" not in str(rejected.value)
    assert len(sink.mailbox) == 0


async def test_messages_travel_over_one_kept_connection_and_go_on_after_a_refusal(
    sink: SmtpSink,
) -> None:
    mailer = mailer_for(sink)
    await mailer.send(message("<a-1.one@journey>"))
    with pytest.raises(DeliveryRejected):
        await mailer.send(message("<a-1.two@journey>", to="bounce@example.com"))
    await mailer.send(message("<a-1.three@journey>"))
    assert [m.message_id for m in sink.mailbox.messages()] == [
        "<a-1.three@journey>",
        "<a-1.one@journey>",
    ]
    assert sink.sessions_opened == 1
    await mailer.aclose()


async def test_concurrent_messages_use_at_most_the_configured_connections(
    sink: SmtpSink,
) -> None:
    mailer = SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, timeout=5, connections=2))
    await asyncio.gather(*(mailer.send(message(f"<a-{n}.x@journey>")) for n in range(8)))
    assert len(sink.mailbox) == 8
    assert sink.sessions_opened == 2
    await mailer.aclose()


async def test_a_connection_the_server_closed_meanwhile_is_replaced_and_the_message_arrives(
    sink: SmtpSink,
) -> None:
    mailer = mailer_for(sink)
    await mailer.send(message("<a-1.before@journey>"))
    await sink.stop()  # ends the kept connection too
    await sink.start()
    await mailer.send(message("<a-1.after@journey>"))
    assert sink.mailbox.get("<a-1.after@journey>") is not None
    assert sink.sessions_opened == 2
    await mailer.aclose()


async def test_with_no_kept_connections_each_message_has_its_own_conversation(
    sink: SmtpSink,
) -> None:
    mailer = SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, timeout=5, connections=0))
    await mailer.send(message("<a-1.one@journey>"))
    await mailer.send(message("<a-1.two@journey>"))
    assert sink.sessions_opened == 2


async def test_an_unreachable_server_is_a_passing_failure() -> None:
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2))
    with pytest.raises(DeliveryFailed, match=r"unreachable|failed"):
        await mailer.send(message())


async def test_the_mailbox_keeps_only_its_newest_messages_in_memory() -> None:
    async with SmtpSink(Mailbox(capacity=2), port=0) as sink:
        mailer = mailer_for(sink)
        for n in range(3):
            await mailer.send(message(f"<m{n}@journey>"))
        assert [m.message_id for m in sink.mailbox.messages()] == ["<m2@journey>", "<m1@journey>"]
        assert sink.mailbox.get("<m0@journey>") is None


async def test_a_sink_with_a_directory_keeps_mail_and_known_ids_across_a_restart(
    tmp_path: Path,
) -> None:
    async with SmtpSink(Mailbox(directory=tmp_path / "mail"), port=0) as sink:
        await mailer_for(sink).send(message())
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    assert b"ana@example.com" not in files[0].name.encode()  # names are digests

    async with SmtpSink(Mailbox(directory=tmp_path / "mail"), port=0) as again:
        [kept] = again.mailbox.messages()
        assert kept.message_id == "<a-1.card_shipped@journey>"
        assert kept.attachments[0].data == b"%PDF-1.7 fake"
        await mailer_for(again).send(message())
        assert again.mailbox.duplicates_dropped == 1
        assert len(again.mailbox) == 1


async def test_the_sink_logs_no_addresses(sink: SmtpSink, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        await mailer_for(sink).send(message())
    assert "ana@example.com" not in caplog.text


async def test_a_sink_can_be_stopped_and_started_again_on_its_port() -> None:
    port = free_port()
    sink = SmtpSink(port=port)
    await sink.start()
    assert (sink.running, sink.port) == (True, port)
    await sink.stop()
    assert not sink.running
    with pytest.raises(DeliveryFailed):
        await mailer_for(sink).send(message())
    await sink.start()
    await mailer_for(sink).send(message())
    assert len(sink.mailbox) == 1
    await sink.stop()


async def test_the_mailer_and_the_sink_meet_where_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEY_SMTP_HOST", "localhost")
    monkeypatch.setenv("JOURNEY_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("JOURNEY_SMTP_SINK_CAPACITY", "3")
    settings = SmtpSettings()
    assert settings.runs_local_sink
    async with SmtpSink.from_settings(settings) as sink:
        assert (sink.host, sink.port, sink.mailbox.capacity) == (
            "127.0.0.1",
            settings.port,
            3,
        )
        await SmtpMailer(settings).send(message())
        assert len(sink.mailbox) == 1


def test_no_local_sink_is_run_when_mail_goes_to_a_real_relay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEY_SMTP_HOST", "smtp.bank.example")
    assert not SmtpSettings().runs_local_sink
    monkeypatch.setenv("JOURNEY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JOURNEY_SMTP_SINK", "false")
    assert not SmtpSettings().runs_local_sink
