"""Notifications and the welcome package: one message per milestone, by email and SMS.

Public names (the saga, `journey serve` and the console use these):

- commands `NotifyCustomer`, `DeliverNotification` (internal, scheduled by the former);
- events `NotificationQueued`, `NotificationSent`, `NotificationFailed`;
- `notifications_module(mailer=..., sms=..., settings=...)`;
- settings `SmtpSettings` (`JOURNEY_SMTP_*`) and `NotificationSettings` (`JOURNEY_NOTIFY_*`);
- adapters `SmtpMailer`, `MemoryMailer`, `SimulatedSms`; the local sink `SmtpSink` + `Mailbox`;
- read model `notifications` and query `GetNotifications`.
"""

from journey.command_side.notifications.aggregate import Notice, Notifications
from journey.command_side.notifications.compose import (
    WELCOME_LETTER_FILENAME,
    NotificationComposer,
    message_id_for,
)
from journey.command_side.notifications.memory import MemoryMailer, SimulatedSms
from journey.command_side.notifications.messages import (
    CHANNELS,
    MILESTONES,
    NOTIFICATION_EVENTS,
    Channel,
    DeliverNotification,
    Milestone,
    NotificationFacts,
    NotificationFailed,
    NotificationQueued,
    NotificationSent,
    NotifyCustomer,
)
from journey.command_side.notifications.module import notifications_module
from journey.command_side.notifications.ports import (
    DeliveryFailed,
    DeliveryRejected,
    Mailer,
    SmsSender,
    TextMessage,
)
from journey.command_side.notifications.projection import GetNotifications, NotificationsView
from journey.command_side.notifications.settings import NotificationSettings, SmtpSettings
from journey.command_side.notifications.sink import (
    MailAttachment,
    Mailbox,
    ReceivedMail,
    SmtpSink,
)
from journey.command_side.notifications.smtp import SmtpMailer
from journey.command_side.notifications.welcome_letter import WelcomeLetter, welcome_letter_pdf

__all__ = [
    # messages
    "NotifyCustomer",
    "DeliverNotification",
    "NotificationQueued",
    "NotificationSent",
    "NotificationFailed",
    "NOTIFICATION_EVENTS",
    "NotificationFacts",
    "Milestone",
    "MILESTONES",
    "Channel",
    "CHANNELS",
    # the service
    "notifications_module",
    "Notifications",
    "Notice",
    "NotificationComposer",
    "message_id_for",
    "WELCOME_LETTER_FILENAME",
    "WelcomeLetter",
    "welcome_letter_pdf",
    "NotificationsView",
    "GetNotifications",
    # settings and adapters
    "SmtpSettings",
    "NotificationSettings",
    "Mailer",
    "SmsSender",
    "TextMessage",
    "DeliveryFailed",
    "DeliveryRejected",
    "SmtpMailer",
    "MemoryMailer",
    "SimulatedSms",
    "SmtpSink",
    "Mailbox",
    "ReceivedMail",
    "MailAttachment",
]
