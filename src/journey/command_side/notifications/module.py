"""`notifications_module`: the notifications service as the kernel installs it."""

from __future__ import annotations

from journey.command_side.notifications.compose import NotificationComposer
from journey.command_side.notifications.messages import (
    NOTIFICATION_EVENTS,
    DeliverNotification,
    NotifyCustomer,
)
from journey.command_side.notifications.ports import Mailer, SmsSender
from journey.command_side.notifications.projection import (
    GetNotifications,
    NotificationsView,
    get_notifications,
)
from journey.command_side.notifications.service import NotificationService
from journey.command_side.notifications.settings import NotificationSettings
from journey.cqrs.module import Module


def notifications_module(
    *,
    mailer: Mailer,
    sms: SmsSender,
    settings: NotificationSettings | None = None,
    composer: NotificationComposer | None = None,
) -> Module:
    """Commands `NotifyCustomer` and `DeliverNotification`, their events, the `notifications`
    read model and the `GetNotifications` query.

    `mailer`: `SmtpMailer(SmtpSettings())` in `journey serve`, `MemoryMailer()` in unit tests;
    `sms`: `SimulatedSms()` until a real provider's adapter exists.
    """
    service = NotificationService(
        mailer=mailer, sms=sms, composer=composer or NotificationComposer(settings)
    )
    return Module(
        name="notifications",
        events=NOTIFICATION_EVENTS,
        commands={NotifyCustomer: service.notify, DeliverNotification: service.deliver},
        queries={GetNotifications: get_notifications},
        projections=[NotificationsView()],
    )
