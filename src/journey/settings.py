"""One typed settings object, read from the environment (prefix `JOURNEY_`) or a `.env` file."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where things live and how they behave. Defaults run on a laptop with zero setup."""

    model_config = SettingsConfigDict(env_prefix="JOURNEY_", env_file=".env", extra="ignore")

    event_store: str = Field(
        "sqlite:///var/journey.db",
        description="sqlite:///relative/path | sqlite:////absolute/path | memory",
    )
    key_store: str = Field(
        "sqlite:///var/journey-keys.db",
        description="where per-subject data keys live, apart from the log (sqlite:///… | memory)",
    )
    master_key: SecretStr | None = Field(
        None, description="base64 of 32 bytes wrapping the data keys at rest (optional)"
    )
    broker: str = Field("memory", description="memory (in-process)")
    sqlite_synchronous: Literal["FULL", "NORMAL", "EXTRA"] = "FULL"
    snapshot_every: int | None = Field(100, ge=2, description="events between aggregate snapshots")
    source: str = Field("urn:journey:embedded", description="CloudEvents `source` of our events")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"
    poll_interval: float = Field(1.0, gt=0, description="seconds between looks at a quiet log")
    consumer_linger_ms: float = Field(
        10.0,
        ge=0,
        le=1000,
        description="a woken consumer waits this long to read several new events in one round",
    )
    background_share: float = Field(
        0.25,
        gt=0,
        le=1,
        description="while API commands are in flight, background work keeps to this share of "
        "the time (1: never gives way)",
    )
    providers: str = Field(
        "simulated",
        description="simulated (in-process) or the base URL of the providers' HTTP endpoints",
    )
    provider_timeout: float = Field(2.0, gt=0, description="seconds per outside call")
    credit_no_hit_fallback: bool = Field(
        False,
        description="also pull the fallback bureau when the primary has no file on the applicant "
        "(each pull is billed; off: the fallback is for a primary that does not answer)",
    )
    simulated_latency_ms: float = Field(0.0, ge=0, description="latency of in-process simulators")
    simulated_error_rate: float = Field(0.0, ge=0, le=1)

    @field_validator("event_store", "key_store")
    @classmethod
    def _known_store(cls, value: str) -> str:
        if value != "memory" and not value.startswith("sqlite:///"):
            raise ValueError(f"unsupported store {value!r}: use sqlite:///path or memory")
        return value

    @field_validator("providers")
    @classmethod
    def _known_providers(cls, value: str) -> str:
        if value != "simulated" and not value.startswith(("http://", "https://")):
            raise ValueError(f"providers must be 'simulated' or an http(s) URL, not {value!r}")
        return value.rstrip("/")

    @field_validator("broker")
    @classmethod
    def _known_broker(cls, value: str) -> str:
        if value != "memory":
            raise ValueError(f"unsupported broker {value!r}: use memory")
        return value

    def master_key_bytes(self) -> bytes | None:
        if self.master_key is None:
            return None
        try:
            key = base64.b64decode(self.master_key.get_secret_value(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("JOURNEY_MASTER_KEY must be base64") from error
        if len(key) != 32:
            raise ValueError("JOURNEY_MASTER_KEY must decode to 32 bytes")
        return key


def sqlite_path(url: str) -> Path:
    """`sqlite:///var/x.db` -> `var/x.db`; `sqlite:////abs/x.db` -> `/abs/x.db`."""
    return Path(url.removeprefix("sqlite:///"))


# The signing key `journey serve` uses when none is configured. It is public (it is right here),
# so tokens signed with it prove nothing: development and tests only. Production sets
# JOURNEY_AUTH_SIGNING_KEY (and leaves JOURNEY_AUTH_DEV_LOGIN off).
DEVELOPMENT_SIGNING_KEY = "journey-DEVELOPMENT-ONLY-signing-key-do-not-use-in-production"


class AuthSettings(BaseSettings):
    """Bearer tokens of the HTTP API (env prefix `JOURNEY_AUTH_`): HS256 JWTs with `sub`,
    `roles`, `iat`, `exp` and `iss`."""

    model_config = SettingsConfigDict(env_prefix="JOURNEY_AUTH_", env_file=".env", extra="ignore")

    signing_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_SIGNING_KEY),
        description="HS256 key, at least 32 bytes (the default is the public development key)",
    )
    dev_login: bool | None = Field(
        None,
        description="POST /auth/dev-token hands out tokens; unset = only with the development key",
    )
    issuer: str = Field("urn:journey", min_length=1, description="`iss` of the tokens we sign")
    token_ttl_minutes: float = Field(60.0, gt=0, le=60 * 24 * 30, description="token lifetime")
    leeway_seconds: float = Field(30.0, ge=0, le=600, description="clock skew tolerated")

    @field_validator("signing_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        # RFC 7518 3.2: an HS256 key must be at least as long as the hash output (32 bytes).
        if len(value.get_secret_value().encode()) < 32:
            raise ValueError("JOURNEY_AUTH_SIGNING_KEY must be at least 32 bytes")
        return value

    @property
    def uses_development_key(self) -> bool:
        return self.signing_key.get_secret_value() == DEVELOPMENT_SIGNING_KEY

    @property
    def dev_login_enabled(self) -> bool:
        """Whether anyone may ask for a token by role: explicitly set, or the development key."""
        return self.uses_development_key if self.dev_login is None else self.dev_login

    def key_bytes(self) -> bytes:
        return self.signing_key.get_secret_value().encode()
