"""Simulated credit bureaus over the population's credit files, billing each distinct pull."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timedelta
from typing import Literal

from journey.cqrs.clock import Clock, SystemClock
from journey.query_side.credit.model import CreditReport, Summary
from journey.query_side.credit.port import CreditSubject
from journey.query_side.credit.scales import FICO_LIKE, ScoreScale
from journey.query_side.population import CreditFile, Population, default_population
from journey.query_side.simulation import SimulationKnobs
from journey.query_side.subjects import subject_key

_KIND: dict[str, Literal["REVOLVING", "INSTALLMENT", "MORTGAGE"]] = {
    "credit_card": "REVOLVING",
    "telco": "REVOLVING",
    "personal_loan": "INSTALLMENT",
    "auto_loan": "INSTALLMENT",
    "mortgage": "MORTGAGE",
}


# How long a pull id is remembered: a retry within it returns the first report, unbilled (as
# payment and bureau APIs keep idempotency keys for a day); older ids are forgotten, so a
# long-running simulator does not keep every report it ever made.
IDEMPOTENCY_WINDOW = timedelta(hours=24)


class SimulatedBureau:
    """A bureau with its own score scale. `billed` counts distinct (billed) pulls."""

    def __init__(
        self,
        name: str = "bureau-a",
        scale: ScoreScale = FICO_LIKE,
        *,
        population: Population | None = None,
        knobs: SimulationKnobs | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.scale = scale
        self._population = population or default_population()
        self.knobs = knobs or SimulationKnobs()
        self._clock = clock or SystemClock()
        # Oldest first; an OrderedDict, as forgetting from the front of a dict leaves holes that
        # every later look at its front walks over.
        self._pulls: OrderedDict[str, CreditReport] = OrderedDict()
        self.billed = 0

    async def pull(self, subject: CreditSubject, *, pull_id: str, hard: bool) -> CreditReport:
        await self.knobs.before_call(self.name)
        self._forget_before(self._clock.now() - IDEMPOTENCY_WINDOW)
        known = self._pulls.get(pull_id)
        if known is not None:
            return known
        self.billed += 1
        person = self._population.find(subject.country, subject.national_id)
        report = self._report(
            subject_key(subject.country, subject.national_id),
            pull_id,
            hard,
            None if person is None else person.credit,
        )
        self._pulls[pull_id] = report
        return report

    def _forget_before(self, horizon: datetime) -> None:
        """Forget the pull ids first seen before `horizon` (they are kept oldest first)."""
        while self._pulls:
            pull_id, oldest = next(iter(self._pulls.items()))
            if oldest.pulled_at >= horizon:
                return
            del self._pulls[pull_id]

    def _report(
        self, subject: str, pull_id: str, hard: bool, credit: CreditFile | None
    ) -> CreditReport:
        now = self._clock.now()
        if credit is None or credit.score is None:
            return CreditReport(
                bureau=self.name,
                subject=subject,
                pull_id=pull_id,
                pulled_at=now,
                hard_pull=hard,
                hit="NO_HIT",
                score=None,
                risk_tier=None,
            )
        value = self.scale.from_reference(credit.score)
        tradelines = [
            {
                "kind": _KIND[account.kind],
                "opened": account.opened,
                "limit": account.limit,
                "balance": account.balance,
                "status": account.status,
                "worst_dpd_24m": account.worst_delinquency_days,
            }
            for account in credit.accounts
        ]
        summary = _summary(credit)
        today = now.date()
        # One validation of the whole report (pydantic-core walks the tree in one call): a model
        # per tradeline, inquiry and part cost a Python-level call each, a third of a pull.
        return CreditReport.model_validate(
            {
                "bureau": self.name,
                "subject": subject,
                "pull_id": pull_id,
                "pulled_at": now,
                "hard_pull": hard,
                "hit": "THIN" if len(tradelines) < 2 else "HIT",
                "score": {
                    "model": self.scale.model,
                    "value": value,
                    "range_min": self.scale.minimum,
                    "range_max": self.scale.maximum,
                    "reason_codes": _reasons(summary, credit),
                },
                "risk_tier": self.scale.tier(value),
                "tradelines": tradelines,
                "inquiries": [
                    {"date": today - timedelta(days=30 * (n + 1)), "hard": True}
                    for n in range(credit.hard_inquiries_12m)
                ],
                "public_records": list(credit.public_records),
                "summary": summary,
            }
        )


def _summary(credit: CreditFile) -> Summary:
    accounts = credit.accounts
    revolving = [a for a in accounts if _KIND[a.kind] == "REVOLVING" and a.status == "open"]
    limit = sum(a.limit for a in revolving)
    return Summary(
        utilization=round(sum(a.balance for a in revolving) / limit, 3) if limit else 0.0,
        open_accounts=sum(1 for a in accounts if a.status == "open"),
        delinquent_accounts=sum(1 for a in accounts if a.worst_delinquency_days >= 30),
        max_dpd_12m=max((a.worst_delinquency_days for a in accounts), default=0),
        hard_inquiries_12m=credit.hard_inquiries_12m,
        public_records=len(credit.public_records),
    )


def _reasons(summary: Summary, credit: CreditFile) -> list[str]:
    """Up to four adverse-action style reason codes, most important first."""
    reasons = []
    if summary.max_dpd_12m >= 30:
        reasons.append("R02 serious delinquency")
    if summary.public_records:
        reasons.append("R05 public record on file")
    if summary.utilization > 0.3:
        reasons.append("R01 proportion of balances to credit limits is too high")
    if summary.hard_inquiries_12m >= 3:
        reasons.append("R03 too many recent inquiries")
    oldest = min((a.opened for a in credit.accounts), default=None)
    if oldest is not None and (date(2026, 1, 1) - oldest).days < 365 * 2:
        reasons.append("R04 length of credit history too short")
    return reasons[:4]
