"""The notifications service on a kernel: queued once, sent once, retried, never compensated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import orjson
import pytest
import structlog

from journey.command_side.notifications import (
    GetNotifications,
    MemoryMailer,
    NotificationFacts,
    Notifications,
    SimulatedSms,
    notifications_module,
)
from journey.cqrs.clock import ManualClock
from journey.cqrs.dead_letters import SCHEDULER, request_redrive
from journey.cqrs.errors import RuleViolation
from journey.cqrs.privacy.keystore import KeyStore, MemoryKeyStore
from journey.cqrs.retry import RetryPolicy
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.port import Storage
from tests.support.kernel import kernel_on
from tests.support.notifications import (
    CUSTOMER,
    EMAIL,
    NAME,
    PHONE,
    erase,
    mentions,
    notify,
    stream_types,
)

PERSONAL = [NAME, EMAIL, PHONE, "Núñez", "ana.nunez"]
STREAM = Notifications.stream_id_for


@dataclass
class Rig:
    kernel: Kernel
    clock: ManualClock
    mailer: MemoryMailer
    sms: SimulatedSms

    async def later(self, rounds: int = 6) -> None:
        """Let retries fall due: advance past any backoff and settle, a few times over."""
        for _ in range(rounds):
            self.clock.advance(timedelta(minutes=15))
            await self.kernel.settle()


async def make_rig(
    storage: Storage | None = None,
    *,
    mailer: MemoryMailer | None = None,
    retry: RetryPolicy | None = None,
    clock: ManualClock | None = None,
    keys: KeyStore | None = None,
) -> Rig:
    clock = clock or ManualClock()
    mailer = mailer or MemoryMailer()
    sms = SimulatedSms()
    kernel = await kernel_on(
        storage or MemoryStorage(),
        modules=[notifications_module(mailer=mailer, sms=sms)],
        clock=clock,
        command_retry=retry,
        keys=keys,
    )
    return Rig(kernel, clock, mailer, sms)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    made = await make_rig()
    yield made
    await made.kernel.close()


async def test_a_milestone_is_queued_by_the_command_and_emailed_once_the_scheduler_runs(
    rig: Rig,
) -> None:
    result = await rig.kernel.commands.send(notify("application_received", application_id="a-1"))
    assert result.value == {
        "application_id": "a-1",
        "milestone": "application_received",
        "message_id": "<a-1.application_received@journey>",
        "channels": ["email"],  # no text message is written for this milestone
    }
    assert rig.mailer.sent == []  # the command only decided; delivery is its own step
    await rig.kernel.settle()
    assert await stream_types(rig.kernel, STREAM("a-1")) == [
        "NotificationQueued",
        "NotificationSent",
    ]
    [message] = rig.mailer.sent
    assert message["Message-ID"] == "<a-1.application_received@journey>"
    assert message["To"].addresses[0].addr_spec == EMAIL
    assert message["To"].addresses[0].display_name == NAME
    assert message["Subject"] == "We have received your application"
    assert message["Date"] == format_datetime(rig.clock.now())


async def test_a_repeated_command_is_a_no_op_that_answers_with_the_first_result(
    rig: Rig,
) -> None:
    command = notify("offer_made", application_id="a-2")
    first = await rig.kernel.commands.send(command)
    before_delivery = await rig.kernel.commands.send(command)
    await rig.kernel.settle()
    after_delivery = await rig.kernel.commands.send(
        command.model_copy(update={"facts": NotificationFacts(product_name="Other card")})
    )
    await rig.kernel.settle()
    assert first.value == before_delivery.value == after_delivery.value
    assert (before_delivery.position, after_delivery.position) == (None, None)  # wrote nothing
    assert len(rig.mailer.sent) == 1
    assert len(rig.sms.sent) == 1
    assert await stream_types(rig.kernel, STREAM("a-2")) == [
        "NotificationQueued",
        "NotificationSent",
        "NotificationSent",
    ]


async def test_the_welcome_email_carries_the_letter_and_the_text_message_leaves_out_the_name(
    rig: Rig,
) -> None:
    result = await rig.kernel.commands.send(notify("card_shipped", application_id="a-3"))
    assert result.value["channels"] == ["email", "sms"]
    await rig.kernel.settle()
    [message] = rig.mailer.sent
    [letter] = list(message.iter_attachments())
    assert (letter.get_filename(), letter.get_content_type()) == (
        "welcome-letter.pdf",
        "application/pdf",
    )
    pdf = letter.get_payload(decode=True)
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF-")
    [text] = rig.sms.sent
    assert text.to == PHONE
    assert "4242" in text.text
    assert mentions(text.text, ["Ana", "Núñez"]) == []
    assert text.reference == "sms:a-3.card_shipped@journey"


async def test_a_passing_mail_failure_is_retried_with_backoff_and_the_email_sent_once(
    rig: Rig,
) -> None:
    rig.mailer.fail_next = 2
    await rig.kernel.commands.send(notify("application_referred", application_id="a-4"))
    await rig.kernel.settle()
    assert rig.mailer.sent == []
    [pending] = await rig.kernel.storage.due_scheduled(rig.clock.now() + timedelta(days=1))
    assert (pending.message_type, pending.attempts) == ("DeliverNotification", 1)
    await rig.later()
    assert rig.mailer.attempts == 3
    assert len(rig.mailer.sent) == 1
    assert await stream_types(rig.kernel, STREAM("a-4")) == [
        "NotificationQueued",
        "NotificationSent",
    ]


async def test_a_mailer_that_keeps_failing_is_parked_then_redriven_after_the_fix() -> None:
    rig = await make_rig(retry=RetryPolicy(max_attempts=3, initial_delay=1.0, jitter=0))
    rig.mailer.down = True
    await rig.kernel.commands.send(notify("application_received", application_id="a-5"))
    await rig.kernel.settle()
    await rig.later()
    [letter] = await rig.kernel.storage.list_dead_letters(consumer=SCHEDULER)
    assert (letter.message_type, letter.attempts) == ("DeliverNotification", 3)
    view = await rig.kernel.queries.ask(GetNotifications(application_id="a-5"))
    assert view is not None
    assert view["milestones"]["application_received"]["status"] == "queued"

    rig.mailer.down = False
    await request_redrive(rig.kernel.storage, [letter.id])
    await rig.kernel.settle()
    assert len(rig.mailer.sent) == 1
    view = await rig.kernel.queries.ask(GetNotifications(application_id="a-5"))
    assert view is not None
    assert view["milestones"]["application_received"]["status"] == "sent"
    await rig.kernel.close()


async def test_a_refused_recipient_is_recorded_as_failed_and_never_retried() -> None:
    rig = await make_rig(mailer=MemoryMailer(refuse=lambda address: address.startswith("gone")))
    command = notify("application_received", application_id="a-6", email="gone@example.com")
    await rig.kernel.commands.send(command)
    await rig.kernel.settle()
    await rig.later()
    assert rig.mailer.attempts == 1
    assert await stream_types(rig.kernel, STREAM("a-6")) == [
        "NotificationQueued",
        "NotificationFailed",
    ]
    [failed] = await rig.kernel.storage.read_stream(STREAM("a-6"), after_version=1)
    assert orjson.loads(failed.data)["reason"] == "recipient_refused_550"
    assert await rig.kernel.storage.due_scheduled(rig.clock.now() + timedelta(days=30)) == []
    assert await rig.kernel.storage.list_dead_letters() == []
    await rig.kernel.commands.send(command)  # asking again does not try again
    await rig.kernel.settle()
    assert rig.mailer.attempts == 1
    await rig.kernel.close()


async def test_an_address_that_cannot_be_one_fails_without_contacting_the_mail_server(
    rig: Rig,
) -> None:
    await rig.kernel.commands.send(
        notify("application_received", application_id="a-7", email="ana@mail.invalid")
    )
    await rig.kernel.settle()
    assert rig.mailer.attempts == 0
    view = await rig.kernel.queries.ask(GetNotifications(application_id="a-7"))
    assert view is not None
    milestone = view["milestones"]["application_received"]
    assert milestone["status"] == "failed"
    assert milestone["failed"]["email"]["reason"] == "invalid_address"


async def test_an_sms_outage_neither_holds_back_nor_repeats_the_email(rig: Rig) -> None:
    rig.sms.down = True
    await rig.kernel.commands.send(notify("card_delivered", application_id="a-8"))
    await rig.kernel.settle()
    assert len(rig.mailer.sent) == 1
    assert rig.sms.sent == []
    rig.sms.down = False
    await rig.later()
    assert len(rig.mailer.sent) == 1
    assert len(rig.sms.sent) == 1
    assert rig.sms.submissions == 2


async def test_a_milestone_with_no_way_to_reach_the_customer_fails_at_once(rig: Rig) -> None:
    result = await rig.kernel.commands.send(
        notify("card_activated", application_id="a-9", email=None, phone=None)
    )
    assert result.value["channels"] == []
    await rig.kernel.settle()
    assert await stream_types(rig.kernel, STREAM("a-9")) == [
        "NotificationQueued",
        "NotificationFailed",
    ]
    view = await rig.kernel.queries.ask(GetNotifications(application_id="a-9"))
    assert view is not None
    assert view["milestones"]["card_activated"]["failed"]["email"]["reason"] == "no_contact"


async def test_a_customer_erased_before_delivery_is_not_contacted(rig: Rig) -> None:
    await rig.kernel.commands.send(notify("card_shipped", application_id="a-10"))
    await erase(rig.kernel, CUSTOMER)
    await rig.kernel.settle()
    assert (rig.mailer.attempts, rig.sms.submissions) == (0, 0)
    view = await rig.kernel.queries.ask(GetNotifications(application_id="a-10"))
    assert view is not None
    failed = view["milestones"]["card_shipped"]["failed"]
    assert {channel: failed[channel]["reason"] for channel in failed} == {
        "email": "recipient_erased",
        "sms": "recipient_erased",
    }


async def test_the_welcome_email_is_refused_without_the_facts_its_letter_shows(rig: Rig) -> None:
    with pytest.raises(RuleViolation, match="card_last4"):
        await rig.kernel.commands.send(
            notify("card_shipped", facts=NotificationFacts(product_code="GOLD", credit_limit=1))
        )
    assert await rig.kernel.storage.last_position() == 0


async def test_the_welcome_email_goes_out_with_the_facts_the_saga_has(rig: Rig) -> None:
    """The saga may know only the product and the masked card: the letter leaves out what is
    missing, and a warning names it (names of facts only)."""
    facts = NotificationFacts.model_validate(
        {"product_code": "GOLD", "masked_card_number": "\u2022\u2022\u2022\u2022 4242"}
    )
    with structlog.testing.capture_logs() as logs:
        await rig.kernel.commands.send(notify("card_shipped", application_id="a-15", facts=facts))
        await rig.kernel.settle()
    [message] = rig.mailer.sent
    assert len(list(message.iter_attachments())) == 1
    [warning] = [entry for entry in logs if entry["log_level"] == "warning"]
    assert warning["missing"] == ["credit_limit", "agreement_text_version", "agreement_text_hash"]


async def test_a_delivery_whose_outcome_was_not_recorded_is_not_sent_again_by_the_process() -> None:
    """Another process writes to the same stream while the email is on its way, so recording
    `NotificationSent` loses the race and the handler runs again on fresh state."""
    storage, clock, keys = MemoryStorage(), ManualClock(), MemoryKeyStore()
    other = await make_rig(storage, clock=clock, keys=keys)

    class Interfering(MemoryMailer):
        async def send(self, message: EmailMessage) -> None:
            await super().send(message)
            if len(self.sent) == 1:
                await other.kernel.commands.send(notify("card_delivered", application_id="a-11"))

    rig = await make_rig(storage, mailer=Interfering(), clock=clock, keys=keys)
    await rig.kernel.commands.send(notify("application_received", application_id="a-11"))
    await rig.kernel.scheduler.fire_due()  # only the first process delivers this one
    assert rig.mailer.message_ids() == ["<a-11.application_received@journey>"]
    types = await stream_types(rig.kernel, STREAM("a-11"))
    assert types.count("NotificationSent") == 1
    await rig.kernel.close()
    await other.kernel.close()


async def test_the_read_model_shows_milestones_and_channels_but_no_personal_data(
    rig: Rig,
) -> None:
    await rig.kernel.commands.send(notify("application_received", application_id="a-12"))
    await rig.kernel.commands.send(notify("card_shipped", application_id="a-12"))
    await rig.kernel.settle()
    view = await rig.kernel.queries.ask(GetNotifications(application_id="a-12"))
    assert view is not None
    shipped = view["milestones"]["card_shipped"]
    assert (shipped["status"], shipped["channels"], sorted(shipped["sent"])) == (
        "sent",
        ["email", "sms"],
        ["email", "sms"],
    )
    assert view["milestones"]["application_received"]["status"] == "sent"
    assert view["last_milestone"] == "card_shipped"
    assert mentions(repr(view), PERSONAL) == []
    assert await rig.kernel.queries.ask(GetNotifications(application_id="nobody")) is None


async def test_personal_fields_are_stored_encrypted_and_scheduled_deliveries_carry_none(
    rig: Rig,
) -> None:
    await rig.kernel.commands.send(notify("offer_made", application_id="a-13"))
    scheduled = await rig.kernel.storage.due_scheduled(rig.clock.now())
    assert [row.message_type for row in scheduled] == ["DeliverNotification"] * 2
    stored = await rig.kernel.storage.read_stream(STREAM("a-13"))
    assert mentions(repr(stored) + repr(scheduled), PERSONAL) == []


async def test_logs_name_ids_and_outcomes_never_the_customer() -> None:
    rig = await make_rig(mailer=MemoryMailer(refuse=lambda address: address.startswith("gone")))
    rig.mailer.fail_next = 1
    with structlog.testing.capture_logs() as logs:
        await rig.kernel.commands.send(notify("card_shipped", application_id="a-14"))
        await rig.kernel.commands.send(
            notify("card_delivered", application_id="a-14", email="gone@example.com")
        )
        await rig.kernel.settle()
        await rig.later()
    events = [entry["event"] for entry in logs]
    assert "notification queued" in events
    assert "notification sent" in events
    assert "notification failed for good" in events
    assert "scheduled command failed; will retry" in events
    assert mentions(repr(logs), [*PERSONAL, "gone@example.com"]) == []
    await rig.kernel.close()
