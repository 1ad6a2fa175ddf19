"""The application: submitted, screened, decided, offered, accepted (or expired, withdrawn)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from journey.catalog import TIERS, RiskTier
from journey.command_side.issuance.events import (
    AgreementAccepted,
    ApplicationApproved,
    ApplicationDeclined,
    ApplicationReferred,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    ConsentGiven,
    OfferExpired,
    OfferMade,
    PostalAddress,
    ReferralDecided,
)
from journey.cqrs.aggregate import Aggregate
from journey.cqrs.errors import RuleViolation
from journey.cqrs.messages import Event


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    SCREENED = "screened"
    APPROVED = "approved"
    REFERRED = "referred"
    DECLINED = "declined"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


FINAL = {ApplicationStatus.DECLINED, ApplicationStatus.EXPIRED, ApplicationStatus.WITHDRAWN}


class Application(Aggregate):
    category = "application"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status: ApplicationStatus | None = None
        self.customer_id = ""
        self.country = ""
        self.national_id: str | None = None
        self.given_names: str | None = None
        self.surnames: list[str] | None = None
        self.birth_date: date | None = None
        self.email: str | None = None
        self.phone: str | None = None
        self.address: PostalAddress | None = None
        self.product_code = ""
        self.design_code = ""
        self.consents: list[ConsentGiven] = []
        self.credit_limit = 0
        self.annual_fee = 0
        self.currency = ""  # of the limit and the fee, as approved
        self.apr_bps = 0
        self.risk_tier: RiskTier | None = None
        self.offer_expires_at: datetime | None = None
        self.agreement_version: str | None = None
        self.agreement_hash: str | None = None

    # -- decisions ---------------------------------------------------------------------------------
    def submit(self, submitted: ApplicationSubmitted) -> None:
        if self.status is not None:
            raise RuleViolation("the application was already submitted")
        self.record(submitted)

    def screened(self, screened: ApplicationScreened) -> None:
        self._expect(ApplicationStatus.SUBMITTED, "screened")
        self.record(screened)

    def approve(
        self, credit_limit: int, annual_fee: int, currency: str, apr_bps: int, tier: str | None
    ) -> None:
        """Approve on these terms (`credit_limit` and `annual_fee` in whole `currency` units)."""
        if self.status not in (ApplicationStatus.SCREENED, ApplicationStatus.REFERRED):
            raise RuleViolation(f"an application that is {self.status} cannot be approved")
        self.record(
            ApplicationApproved(
                application_id=self.id,
                credit_limit=credit_limit,
                annual_fee=annual_fee,
                currency=currency,
                apr_bps=apr_bps,
                risk_tier=tier,
            )
        )

    def refer(self, reasons: list[str]) -> None:
        self._expect(ApplicationStatus.SCREENED, "referred")
        self.record(ApplicationReferred(application_id=self.id, reasons=reasons))

    def decline(self, reasons: list[str], customer_reason: str) -> None:
        if self.status not in (ApplicationStatus.SCREENED, ApplicationStatus.REFERRED):
            raise RuleViolation(f"an application that is {self.status} cannot be declined")
        self.record(
            ApplicationDeclined(
                application_id=self.id, reasons=reasons, customer_reason=customer_reason
            )
        )

    def decide_referral(self, approve: bool, analyst: str, reason: str) -> None:
        self._expect(ApplicationStatus.REFERRED, "decided by an analyst")
        self.record(
            ReferralDecided(application_id=self.id, approve=approve, analyst=analyst, reason=reason)
        )

    def make_offer(self, expires_at: datetime, text_version: str, text_hash: str) -> None:
        self._expect(ApplicationStatus.APPROVED, "offered")
        self.record(
            OfferMade(
                application_id=self.id,
                product_code=self.product_code,
                design_code=self.design_code,
                credit_limit=self.credit_limit,
                annual_fee=self.annual_fee,
                currency=self.currency,
                apr_bps=self.apr_bps,
                expires_at=expires_at,
                agreement_text_version=text_version,
                agreement_text_hash=text_hash,
            )
        )

    def accept(self, text_version: str, text_hash: str, channel: str, now: datetime) -> None:
        self._expect(ApplicationStatus.OFFERED, "accepted")
        assert self.offer_expires_at is not None
        if now >= self.offer_expires_at:
            raise RuleViolation("the offer has expired")
        if (text_version, text_hash) != (self.agreement_version, self.agreement_hash):
            raise RuleViolation("the agreement accepted is not the one offered")
        self.record(
            AgreementAccepted(
                application_id=self.id,
                text_version=text_version,
                text_hash=text_hash,
                channel=channel,
                accepted_at=now,
            )
        )

    def expire(self, now: datetime) -> bool:
        """Expire the offer if it is still open and due; False when there is nothing to do."""
        if self.status is not ApplicationStatus.OFFERED:
            return False
        assert self.offer_expires_at is not None
        if now < self.offer_expires_at:
            raise RuleViolation("the offer has not expired yet")
        self.record(OfferExpired(application_id=self.id))
        return True

    def withdraw(self, reason: str) -> bool:
        """Withdraw unless already over; False when it already ended (nothing to do)."""
        if self.status is None:
            raise RuleViolation("there is no such application")
        if self.status in FINAL:
            return False
        self.record(ApplicationWithdrawn(application_id=self.id, reason=reason))
        return True

    def _expect(self, status: ApplicationStatus, becoming: str) -> None:
        if self.status is not status:
            raise RuleViolation(f"an application that is {self.status} cannot be {becoming}")

    # -- state -------------------------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        match event:
            case ApplicationSubmitted():
                self.status = ApplicationStatus.SUBMITTED
                self.customer_id = event.customer_id
                self.country = event.country
                self.national_id = event.national_id
                self.given_names = event.given_names
                self.surnames = event.surnames
                self.birth_date = event.birth_date
                self.email = event.email
                self.phone = event.phone
                self.address = event.address
                self.product_code = event.product_code
                self.design_code = event.design_code
                self.consents = list(event.consents)
            case ApplicationScreened(risk_tier=tier):
                self.status = ApplicationStatus.SCREENED
                self.risk_tier = tier if tier in TIERS else None
            case ApplicationApproved():
                self.status = ApplicationStatus.APPROVED
                self.credit_limit = event.credit_limit
                self.annual_fee = event.annual_fee
                self.currency = event.currency
                self.apr_bps = event.apr_bps
            case ApplicationReferred():
                self.status = ApplicationStatus.REFERRED
            case ApplicationDeclined():
                self.status = ApplicationStatus.DECLINED
            case ReferralDecided():
                pass  # the approval or decline that follows changes the status
            case OfferMade():
                self.status = ApplicationStatus.OFFERED
                self.offer_expires_at = event.expires_at
                self.agreement_version = event.agreement_text_version
                self.agreement_hash = event.agreement_text_hash
            case AgreementAccepted():
                self.status = ApplicationStatus.ACCEPTED
            case OfferExpired():
                self.status = ApplicationStatus.EXPIRED
            case ApplicationWithdrawn():
                self.status = ApplicationStatus.WITHDRAWN

    def consented_to(self, purpose: str) -> bool:
        return any(c.purpose == purpose and c.granted for c in self.consents)
