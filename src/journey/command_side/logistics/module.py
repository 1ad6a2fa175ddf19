"""The logistics service as a kernel module, and its settings."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from journey.command_side.logistics.carrier import Carrier
from journey.command_side.logistics.events import LOGISTICS_EVENTS
from journey.command_side.logistics.handlers import LogisticsHandlers
from journey.command_side.logistics.http_carrier import HttpCarrier
from journey.command_side.logistics.read_model import (
    GetShipment,
    ListShipments,
    ShipmentsProjection,
    get_shipment,
    list_shipments,
)
from journey.command_side.logistics.simulation import (
    SIMULATED_CARRIER,
    CarrierBehaviour,
    SimulatedCarrier,
)
from journey.cqrs.module import Module


class CarrierSettings(BaseSettings):
    """The carrier and its webhooks (env prefix `JOURNEY_CARRIER_`).

    `carrier` is `simulated` (in-process; its webhooks are scheduled commands) or the base URL
    of a carrier over HTTP, which then needs `webhook_secret` to sign what it posts back.
    """

    model_config = SettingsConfigDict(env_prefix="JOURNEY_CARRIER_", extra="ignore")

    carrier: str = Field("simulated", description="simulated | http(s)://carrier base URL")
    name: str = Field(SIMULATED_CARRIER, min_length=1, max_length=64)
    timeout: float = Field(5.0, gt=0, description="seconds per call to the carrier")
    webhook_secret: SecretStr | None = Field(
        None, description="shared HMAC secret of the carrier's webhooks (at least 16 bytes)"
    )
    webhook_tolerance_seconds: int = Field(300, gt=0, le=3600)
    seed: int = 7
    return_rate: float = Field(0.03, ge=0, le=1)
    failure_rate: float = Field(0.0, ge=0, le=1)
    delay_rate: float = Field(0.15, ge=0, le=1)
    duplicate_rate: float = Field(0.2, ge=0, le=1)
    reorder_rate: float = Field(0.25, ge=0, le=1)
    time_scale: float = Field(1.0, gt=0, description="shrinks the simulated carrier's durations")

    @field_validator("carrier")
    @classmethod
    def _known_carrier(cls, value: str) -> str:
        if value != "simulated" and not value.startswith(("http://", "https://")):
            raise ValueError(f"carrier must be 'simulated' or an http(s) URL, not {value!r}")
        return value.rstrip("/")

    @property
    def webhook_tolerance(self) -> timedelta:
        return timedelta(seconds=self.webhook_tolerance_seconds)

    def behaviour(self) -> CarrierBehaviour:
        return CarrierBehaviour(
            seed=self.seed,
            return_rate=self.return_rate,
            failure_rate=self.failure_rate,
            delay_rate=self.delay_rate,
            duplicate_rate=self.duplicate_rate,
            reorder_rate=self.reorder_rate,
            time_scale=self.time_scale,
        )

    def secret_bytes(self) -> bytes:
        if self.webhook_secret is None:
            raise ValueError("JOURNEY_CARRIER_WEBHOOK_SECRET is needed to receive webhooks")
        return self.webhook_secret.get_secret_value().encode()


def carrier_from_settings(settings: CarrierSettings | None = None) -> Carrier:
    """The configured carrier: the in-process simulator, or an HTTP carrier (close it with
    `aclose`) whose webhooks need the shared secret."""
    settings = settings or CarrierSettings()
    if settings.carrier == "simulated":
        return SimulatedCarrier(settings.behaviour(), name=settings.name)
    settings.secret_bytes()  # fail at start-up, not at the first webhook
    return HttpCarrier.connect(settings.carrier, name=settings.name, timeout=settings.timeout)


def logistics_module(carrier: Carrier | None = None) -> Module:
    """Shipments: booking with the carrier, labels, carrier updates, the `shipments` read model
    and its queries. Without a carrier, the in-process simulator with default behaviour."""
    handlers = LogisticsHandlers(carrier or SimulatedCarrier())
    return Module(
        name="logistics",
        events=LOGISTICS_EVENTS,
        commands=handlers.handlers(),
        queries={GetShipment: get_shipment, ListShipments: list_shipments},
        projections=[ShipmentsProjection()],
    )
