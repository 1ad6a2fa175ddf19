"""The notifications service's command handlers: queue a milestone, deliver it on each channel.

`NotifyCustomer` only decides and records (`NotificationQueued`) and, in the same commit, schedules
one `DeliverNotification` per channel. A delivery loads the queued notice, renders it, hands it
to the provider and records the outcome. What can happen to one delivery:

- the provider accepts: `NotificationSent`;
- it refuses the recipient for good (or the address cannot be one, or was erased):
  `NotificationFailed`, no retry;
- anything else raises: the scheduler retries with backoff, then parks it for an operator.

A crash after the provider accepted and before `NotificationSent` is committed makes the
scheduler deliver again; the message keeps its Message-ID (SMS: its reference), so the receiver
drops the copy. Within one process, `RecentDeliveries` avoids even that resend when only the
commit failed. See docs/decisions/0009-notifications-deliver-once.md.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import structlog
from email_validator import EmailNotValidError, validate_email

from journey.command_side.notifications.aggregate import Notice, Notifications
from journey.command_side.notifications.compose import (
    NotificationComposer,
    complete_facts,
    message_id_for,
    sms_reference_for,
)
from journey.command_side.notifications.messages import (
    EXPECTED_FACTS,
    REQUIRED_FACTS,
    Channel,
    DeliverNotification,
    NotificationFacts,
    NotifyCustomer,
    missing_facts,
)
from journey.command_side.notifications.ports import (
    DeliveryRejected,
    Mailer,
    SmsSender,
    TextMessage,
)
from journey.cqrs.errors import RuleViolation
from journey.cqrs.unit_of_work import UnitOfWork

_log = structlog.get_logger("journey.notifications")


class RecentDeliveries:
    """(message id, channel) pairs this process handed to a provider successfully.

    If recording the outcome then fails (a lost race for the stream, the store briefly away), the
    retry finds the pair here and records it without sending again. Bounded; forgetting an old
    pair only costs a resend that the receiver drops by its Message-ID.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._pairs: OrderedDict[tuple[str, str], None] = OrderedDict()

    def add(self, message_id: str, channel: str) -> None:
        self._pairs[(message_id, channel)] = None
        while len(self._pairs) > self._capacity:
            self._pairs.popitem(last=False)

    def __contains__(self, pair: object) -> bool:
        return pair in self._pairs


class NotificationService:
    """Holds the providers and the composer; its `notify` and `deliver` are the handlers."""

    def __init__(
        self,
        *,
        mailer: Mailer,
        sms: SmsSender,
        composer: NotificationComposer | None = None,
        recent: RecentDeliveries | None = None,
    ) -> None:
        self.mailer = mailer
        self.sms = sms
        self.composer = composer or NotificationComposer()
        self.recent = recent or RecentDeliveries()

    # -- NotifyCustomer --------------------------------------------------------------------------
    async def notify(self, command: NotifyCustomer, uow: UnitOfWork) -> dict[str, Any]:
        """Queue the milestone (once) and schedule its deliveries in the same commit."""
        notifications = await uow.find(Notifications, command.application_id)
        if notifications is None:
            notifications = Notifications(command.application_id)
            uow.add(notifications)
        notice = notifications.notice(command.milestone)
        if notice is not None:
            return _queued_summary(command.application_id, notice)

        facts = complete_facts(command.facts)
        missing = missing_facts(command.milestone, facts, REQUIRED_FACTS)
        if missing:
            raise RuleViolation(f"{command.milestone} needs facts: {', '.join(missing)}")
        lacking = missing_facts(command.milestone, facts, EXPECTED_FACTS)
        if lacking:
            _log.warning(
                "notification facts missing; the message leaves them out",
                application_id=command.application_id,
                milestone=command.milestone,
                missing=lacking,
            )
        channels = self._channels(command, facts)
        now = uow.clock.now()
        notifications.queue(
            customer_id=command.customer_id,
            milestone=command.milestone,
            message_id=message_id_for(
                command.application_id, command.milestone, self.composer.settings.message_id_domain
            ),
            channels=channels,
            email=command.email,
            phone=command.phone,
            name=command.name,
            facts=facts,
            queued_at=now,
        )
        for channel in channels:
            # In this commit: a queued milestone never lacks its delivery, nor the reverse.
            await uow.schedule(
                DeliverNotification(
                    application_id=command.application_id,
                    milestone=command.milestone,
                    channel=channel,
                ),
                at=now,
            )
        if not channels:
            notifications.mark_failed(command.milestone, "email", "no_contact")
        notice = notifications.notice(command.milestone)
        assert notice is not None
        _log.info(
            "notification queued",
            application_id=command.application_id,
            milestone=command.milestone,
            channels=channels,
            message_id=notice.message_id,
        )
        return _queued_summary(command.application_id, notice)

    def _channels(self, command: NotifyCustomer, facts: NotificationFacts) -> list[Channel]:
        channels: list[Channel] = []
        if command.email:
            channels.append("email")
        if (
            command.phone
            and command.milestone in self.composer.settings.sms_milestones
            and self.composer.has_sms(command.milestone, facts.locale)
        ):
            channels.append("sms")
        return channels

    # -- DeliverNotification ---------------------------------------------------------------------
    async def deliver(self, command: DeliverNotification, uow: UnitOfWork) -> dict[str, Any]:
        """Deliver one channel of a queued milestone, unless it already has an outcome."""
        notifications = await uow.get(Notifications, command.application_id)
        notice = notifications.notice(command.milestone)
        if notice is None:
            raise RuleViolation(f"no notification was queued for {command.milestone}")
        channel = command.channel
        if notice.pending(channel):
            if channel == "email":
                reason = await self._email(notice, command.application_id)
            else:
                reason = await self._sms(notice, command.application_id)
            if reason is None:
                notifications.mark_sent(notice.milestone, channel)
            else:
                notifications.mark_failed(notice.milestone, channel, reason)
            _log.info(
                "notification sent" if reason is None else "notification failed for good",
                application_id=command.application_id,
                milestone=notice.milestone,
                channel=channel,
                message_id=notice.message_id,
                reason=reason,
            )
        outcome = notice.outcomes.get(channel)
        return {
            "application_id": command.application_id,
            "milestone": notice.milestone,
            "channel": channel,
            "message_id": notice.message_id,
            "outcome": None if outcome is None else ("sent" if outcome.sent else outcome.reason),
        }

    async def _email(self, notice: Notice, application_id: str) -> str | None:
        """Send the email; the failure reason when it cannot be delivered, None when it was."""
        if (notice.message_id, "email") in self.recent:
            return None
        if notice.email is None:
            return "recipient_erased"  # crypto-shredded after queueing: do not contact them
        try:
            validate_email(notice.email, check_deliverability=False)
        except EmailNotValidError:
            return "invalid_address"
        message = self.composer.email(notice, application_id=application_id)
        try:
            await self.mailer.send(message)
        except DeliveryRejected as rejected:
            return rejected.reason
        self.recent.add(notice.message_id, "email")
        return None

    async def _sms(self, notice: Notice, application_id: str) -> str | None:
        reference = sms_reference_for(notice.message_id)
        if (reference, "sms") in self.recent:
            return None
        if notice.phone is None:
            return "recipient_erased"
        text = self.composer.sms(notice, application_id=application_id)
        try:
            await self.sms.send(TextMessage(to=notice.phone, text=text, reference=reference))
        except DeliveryRejected as rejected:
            return rejected.reason
        self.recent.add(reference, "sms")
        return None


def _queued_summary(application_id: str, notice: Notice) -> dict[str, Any]:
    # Only what never changes for a milestone, so a repeated command answers exactly the same.
    return {
        "application_id": application_id,
        "milestone": notice.milestone,
        "message_id": notice.message_id,
        "channels": list(notice.channels),
    }
