"""What is asked, what each outside system concluded, and the answer."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from journey.catalog import RiskTier
from journey.query_side.citizen.national_ids import COUNTRIES
from journey.query_side.restrictive_lists.normalize import NAME_RULE, is_screenable


class Verdict(StrEnum):
    PASS = "PASS"
    REFER = "REFER"  # a person must look, or an outside system could not be asked: never a pass
    FAIL = "FAIL"


class Decision(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    REFER = "REFER"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"


class Applicant(BaseModel):
    """Who asks. Strictly validated: this comes from a form or another system."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    national_id: str = Field(min_length=3, max_length=32)
    given_names: str = Field(min_length=1, max_length=100)
    surnames: list[str] = Field(min_length=1, max_length=3)
    birth_date: date
    gender: Literal["F", "M", "X"] | None = None
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=32)
    device_id: str | None = Field(None, max_length=100)

    @field_validator("country")
    @classmethod
    def _supported(cls, value: str) -> str:
        value = value.upper()
        if value not in COUNTRIES:
            raise ValueError(f"country must be one of {', '.join(COUNTRIES)}")
        return value

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if value.year < 1900 or value > date.today():
            raise ValueError("the birth date is not plausible")
        return value

    @model_validator(mode="after")
    def _screenable(self) -> Applicant:
        # Every applicant is screened against the restrictive lists, which need this much.
        if not is_screenable(self.full_name):
            raise ValueError(NAME_RULE)
        return self

    @property
    def full_name(self) -> str:
        """Given names, then surnames, as one string."""
        return " ".join(part for part in (self.given_names, *self.surnames) if part)


class PrequalificationRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    applicant: Applicant
    product_code: str = Field(min_length=1, max_length=40)
    bureau_consent: bool = Field(
        description="the applicant authorized the bureau check in this channel, now"
    )
    application_id: str | None = Field(
        None, description="set when this is part of an application: answers become evidence"
    )
    request_id: str | None = None


Service = Literal["screening", "citizen", "crm", "cdp", "credit"]


class CheckResult(BaseModel):
    """One outside system's contribution: a verdict, why, and the full answer as evidence."""

    model_config = ConfigDict(frozen=True)

    service: Service
    verdict: Verdict
    outcome: str  # the service's own outcome code (CLEAR, VALID, REPORT, UNAVAILABLE...)
    reasons: list[str] = Field(default_factory=list)  # for analysts
    customer_reason: str | None = None  # what the applicant may be told
    provider: str
    provider_version: str | None = None
    from_cache: bool = False
    elapsed_ms: float
    answer: dict[str, Any] = Field(default_factory=dict)  # evidence; holds personal data


class ProductOffer(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    credit_limit: int
    annual_fee: int
    designs: list[str]


class Prequalification(BaseModel):
    model_config = ConfigDict(frozen=True)

    request_id: str
    decision: Decision
    product_code: str
    product_eligible: bool
    offers: list[ProductOffer]
    customer_reasons: list[str]
    risk_tier: RiskTier | None
    checks: list[CheckResult]
    elapsed_ms: float
    evidence_recorded: bool = False

    def for_customer(self) -> dict[str, Any]:
        """What the applicant sees: the decision, offers and safe reasons; never the checks."""
        return {
            "request_id": self.request_id,
            "decision": self.decision.value,
            "product_code": self.product_code,
            "product_eligible": self.product_eligible,
            "offers": [offer.model_dump() for offer in self.offers],
            "reasons": self.customer_reasons,
        }
