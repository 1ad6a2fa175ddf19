"""CDP profiles: identities, attributes, segments, consents and the personalized offer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Namespace = Literal["national_id", "email", "phone", "device"]
Purpose = Literal[
    "processing", "bureau", "marketing_email", "marketing_sms", "profiling", "biometrics"
]
LegalBasis = Literal[
    "contract", "consent", "legal_obligation", "credit_protection", "legitimate_interest"
]


class Identity(BaseModel):
    model_config = ConfigDict(frozen=True)

    namespace: Namespace
    value: str


class Consent(BaseModel):
    """A consent as the law asks us to be able to prove it (GDPR art. 7, LGPD art. 7, Ley 1581)."""

    model_config = ConfigDict(frozen=True)

    purpose: Purpose
    legal_basis: LegalBasis
    granted: bool
    text_version: str
    channel: str
    captured_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def in_force(self) -> bool:
        return self.granted and self.withdrawn_at is None


class Offer(BaseModel):
    """Which products and card designs to show this person first, and why."""

    model_config = ConfigDict(frozen=True)

    products: tuple[str, ...]
    card_designs: tuple[str, ...]
    reason: str


class CdpProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    profile_id: str
    identities: tuple[Identity, ...]
    attributes: dict[str, str | int | float | bool]
    segments: tuple[str, ...]
    consents: tuple[Consent, ...]
    offer: Offer
    merged_from: tuple[str, ...] = ()  # anonymous profiles stitched in

    def consent(self, purpose: Purpose) -> Consent | None:
        """The latest consent for a purpose."""
        found = [c for c in self.consents if c.purpose == purpose]
        return max(found, key=lambda c: c.captured_at) if found else None

    def allows(self, purpose: Purpose) -> bool:
        consent = self.consent(purpose)
        return consent is not None and consent.in_force
