"""Settings of the notifications service: the SMTP server (and local sink), and the sender.

Read from the environment like `journey.settings.Settings`: `JOURNEY_SMTP_*` for the mail server
and the sink `journey serve` runs, `JOURNEY_NOTIFY_*` for who the messages come from.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import EmailStr, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from journey.command_side.notifications.messages import Locale, Milestone


class SmtpSettings(BaseSettings):
    """Where email goes. The defaults point at the local sink that `journey serve` runs."""

    model_config = SettingsConfigDict(env_prefix="JOURNEY_SMTP_", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="SMTP server (localhost by default: the sink)")
    port: int = Field(8025, ge=0, le=65535, description="SMTP port (0 lets the sink pick one)")
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = Field(False, description="TLS from the first byte (port 465 style)")
    starttls: bool | None = Field(
        None, description="STARTTLS: true = require, false = never, unset = when offered"
    )
    validate_certs: bool = True
    timeout: float = Field(10.0, gt=0, description="seconds per SMTP conversation")
    connections: int = Field(
        4, ge=0, le=100, description="SMTP connections kept open and reused (0: one per message)"
    )
    idle_seconds: float = Field(
        30.0, gt=0, description="a kept connection unused this long is closed, not reused"
    )
    local_hostname: str = Field(
        "localhost", description="name sent in EHLO (avoids a slow reverse DNS lookup)"
    )
    sink: bool = Field(True, description="run a local SMTP sink at host:port in `journey serve`")
    sink_dir: Path | None = Field(None, description="keep received mail as .eml files here")
    sink_capacity: int = Field(500, ge=1, description="messages the sink keeps in memory")

    @property
    def runs_local_sink(self) -> bool:
        """Whether `journey serve` should run the sink: asked for, and mail goes to this machine
        (with a real relay configured, the sink would only catch nothing)."""
        return self.sink and self.host in LOOPBACK


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class NotificationSettings(BaseSettings):
    """Who notifications come from, how they read, and which milestones also go by SMS."""

    model_config = SettingsConfigDict(env_prefix="JOURNEY_NOTIFY_", env_file=".env", extra="ignore")

    brand: str = "Journey Bank"
    sender: EmailStr = "onboarding@journey.example"
    sender_name: str = "Journey Bank"
    reply_to: EmailStr | None = None
    support_email: EmailStr = "help@journey.example"
    support_phone: str = "+1 555 0100"
    support_url: str = "https://journey.example/help"
    locale: Locale = Field("en", description="language when the facts do not name one")
    currency: str = Field(
        "USD",
        pattern=r"^[A-Z]{3}$",
        description="when neither the facts nor the catalog (through their product) name one",
    )
    message_id_domain: str = Field(
        "journey", pattern=r"^[A-Za-z0-9.-]+$", description="right side of our Message-IDs"
    )
    sms_milestones: frozenset[Milestone] = frozenset(
        {"offer_made", "card_shipped", "card_delivered", "card_activated"}
    )
