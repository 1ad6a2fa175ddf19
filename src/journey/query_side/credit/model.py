"""What a credit bureau reports, normalized enough to decide on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from journey.catalog import RiskTier

Hit = Literal["HIT", "THIN", "NO_HIT"]


class Score(BaseModel):
    model_config = ConfigDict(frozen=True)

    model: str  # e.g. "FICO-like 300-850", "DataCredito 150-950"
    value: int
    range_min: int
    range_max: int
    reason_codes: list[str] = Field(default_factory=list)


class Tradeline(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["REVOLVING", "INSTALLMENT", "MORTGAGE"]
    opened: date
    limit: int
    balance: int
    status: Literal["open", "closed", "charged_off"]
    worst_dpd_24m: int  # worst days past due over 24 months


class Inquiry(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: date
    hard: bool


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)

    utilization: float  # balance / limit over revolving lines, 0..1+
    open_accounts: int
    delinquent_accounts: int
    max_dpd_12m: int
    hard_inquiries_12m: int
    public_records: int


class CreditReport(BaseModel):
    """One bureau report. `subject` is a pseudonymous key, never the national id itself."""

    model_config = ConfigDict(frozen=True)

    bureau: str
    subject: str
    pull_id: str
    pulled_at: datetime
    hard_pull: bool
    hit: Hit
    score: Score | None
    risk_tier: RiskTier | None  # None: no file to score
    tradelines: list[Tradeline] = Field(default_factory=list)
    inquiries: list[Inquiry] = Field(default_factory=list)
    public_records: list[str] = Field(default_factory=list)
    summary: Summary | None = None


CreditOutcome = Literal["REPORT", "REUSED", "BUREAU_UNAVAILABLE", "NO_CONSENT"]


class CreditCheck(BaseModel):
    """What the credit-record service concluded: a report (fresh or reused within 15 days),
    or why there is none. BUREAU_UNAVAILABLE refers the application; it never declines it."""

    model_config = ConfigDict(frozen=True)

    outcome: CreditOutcome
    report: CreditReport | None = None
    bureaus_tried: list[str] = Field(default_factory=list)
    reason: str | None = None
