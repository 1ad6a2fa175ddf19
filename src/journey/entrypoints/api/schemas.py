"""Request bodies of the API: strict (unknown fields refused, bounded lengths, real booleans and
integers), so a bad request is a 422 listing its fields before anything runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from journey.query_side.citizen.national_ids import COUNTRIES
from journey.query_side.prequalification.model import Applicant
from journey.query_side.restrictive_lists.normalize import NAME_RULE, is_screenable

ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{5,30}$"

Text = Annotated[str, Field(min_length=1, max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _country(value: str) -> str:
    value = value.upper()
    if value not in COUNTRIES:
        raise ValueError(f"country must be one of {', '.join(COUNTRIES)}")
    return value


def _plausible_birth_date(value: date) -> date:
    if value.year < 1900 or value > date.today():
        raise ValueError("the birth date is not plausible")
    return value


class AddressIn(Strict):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")


class ConsentIn(Strict):
    purpose: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z_]*$")
    text_version: str = Field(min_length=1, max_length=60)
    granted: StrictBool


class ApplicationIn(Strict):
    """`SubmitApplication` as a customer sends it: `customer_id` is derived from the national
    id, `application_id` is generated when absent."""

    application_id: str | None = Field(None, pattern=ID_PATTERN)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    national_id: str = Field(min_length=3, max_length=32)
    given_names: Text
    surnames: list[Text] = Field(min_length=1, max_length=3)
    birth_date: date
    email: EmailStr = Field(max_length=254)
    phone: str = Field(max_length=32, pattern=PHONE_PATTERN)
    address: AddressIn
    product_code: str = Field(pattern=CODE_PATTERN)
    design_code: str = Field(pattern=CODE_PATTERN)
    channel: str = Field("web", min_length=1, max_length=20, pattern=r"^[a-z][a-z_]*$")
    consents: list[ConsentIn] = Field(default_factory=list, max_length=20)

    _country_known = field_validator("country")(_country)
    _born = field_validator("birth_date")(_plausible_birth_date)

    @model_validator(mode="after")
    def _screenable(self) -> ApplicationIn:
        # The application is screened against the restrictive lists, which need this much.
        if not is_screenable(" ".join((self.given_names, *self.surnames))):
            raise ValueError(NAME_RULE)
        return self


class ApplicantIn(Applicant):
    """The prequalification's applicant, refusing unknown fields."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, extra="forbid")


class PrequalificationIn(Strict):
    applicant: ApplicantIn
    product_code: str = Field(pattern=CODE_PATTERN)
    bureau_consent: StrictBool


class AcceptanceIn(Strict):
    text_version: str = Field(min_length=1, max_length=60)
    text_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the text, hex")
    channel: str = Field("web", min_length=1, max_length=20, pattern=r"^[a-z][a-z_]*$")


class WithdrawalIn(Strict):
    # Without one: "withdrawn by the customer", or "... by an operator" when staff withdraw.
    reason: str | None = Field(None, min_length=1, max_length=500)


class ReferralDecisionIn(Strict):
    approve: StrictBool
    reason: str = Field(min_length=1, max_length=1000)


class ReceiptIn(Strict):
    quantity: StrictInt = Field(gt=0, le=1_000_000)
    batch_ref: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.]+$")
