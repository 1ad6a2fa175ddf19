"""`Notifications`: per application, which milestones were queued and how each channel went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from journey.command_side.notifications.messages import (
    Channel,
    Milestone,
    NotificationFacts,
    NotificationFailed,
    NotificationQueued,
    NotificationSent,
)
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Event


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one channel of a milestone ended: sent, or failed for good with a reason code."""

    sent: bool
    reason: str | None = None


@dataclass(slots=True)
class Notice:
    """One milestone's notification as the aggregate remembers it (personal fields decrypted;
    `None` once the customer's key has been shredded)."""

    milestone: str
    message_id: str
    channels: tuple[str, ...]
    customer_id: str
    email: str | None
    phone: str | None
    name: str | None
    facts: NotificationFacts
    queued_at: datetime
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def pending(self, channel: str) -> bool:
        """Whether `channel` is planned for this milestone and has no outcome yet."""
        return channel in self.channels and channel not in self.outcomes

    @property
    def done(self) -> bool:
        return all(channel in self.outcomes for channel in self.channels)


class Notifications(Aggregate):
    """The notifications of one application (stream `notifications-<application_id>`).

    A milestone is queued at most once, and each of its channels ends at most once, so nothing
    that replays this stream can ask for a second message. No snapshots: they would hold the
    personal fields in the clear, outside the reach of crypto-shredding.
    """

    category = "notifications"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.notices: dict[str, Notice] = {}

    def notice(self, milestone: str) -> Notice | None:
        return self.notices.get(milestone)

    # -- decisions ---------------------------------------------------------------------------------
    def queue(
        self,
        *,
        customer_id: str,
        milestone: Milestone,
        message_id: str,
        channels: Sequence[Channel],
        email: str | None,
        phone: str | None,
        name: str | None,
        facts: NotificationFacts,
        queued_at: datetime,
    ) -> bool:
        """Queue the milestone; False (and nothing recorded) when it was queued before."""
        if milestone in self.notices:
            return False
        self.record(
            NotificationQueued(
                application_id=self.id,
                customer_id=customer_id,
                milestone=milestone,
                message_id=message_id,
                channels=list(channels),
                email=email,
                phone=phone,
                name=name,
                facts=facts,
                queued_at=queued_at,
            )
        )
        return True

    def mark_sent(self, milestone: str, channel: Channel) -> None:
        notice = self._planned(milestone, channel)
        if notice.pending(channel):
            self.record(
                NotificationSent(
                    application_id=self.id,
                    milestone=milestone,
                    channel=channel,
                    message_id=notice.message_id,
                )
            )

    def mark_failed(self, milestone: str, channel: Channel, reason: str) -> None:
        notice = self.notices.get(milestone)
        if notice is None:
            raise RuleViolation(f"no notification was queued for {milestone}")
        # A milestone with no usable channel fails on its primary one, though it was never planned.
        if channel not in notice.outcomes:
            self.record(
                NotificationFailed(
                    application_id=self.id,
                    milestone=milestone,
                    channel=channel,
                    message_id=notice.message_id,
                    reason=reason,
                )
            )

    def _planned(self, milestone: str, channel: str) -> Notice:
        notice = self.notices.get(milestone)
        if notice is None:
            raise RuleViolation(f"no notification was queued for {milestone}")
        if channel not in notice.channels:
            raise RuleViolation(f"{milestone} was not queued for {channel}")
        return notice

    # -- state -------------------------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        match event:
            case NotificationQueued():
                self.notices[event.milestone] = Notice(
                    milestone=event.milestone,
                    message_id=event.message_id,
                    channels=tuple(event.channels),
                    customer_id=event.customer_id,
                    email=event.email,
                    phone=event.phone,
                    name=event.name,
                    facts=event.facts,
                    queued_at=event.queued_at,
                )
            case NotificationSent(milestone=milestone, channel=channel):
                self.notices[milestone].outcomes[channel] = Outcome(sent=True)
            case NotificationFailed(milestone=milestone, channel=channel, reason=reason):
                self.notices[milestone].outcomes[channel] = Outcome(sent=False, reason=reason)
