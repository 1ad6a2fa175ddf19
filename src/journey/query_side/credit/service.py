"""The credit-record service: reuse a recent report, else pull the primary bureau, else the
fallback; never decline because a bureau is down (refer instead).

The fallback bureau stands in for a primary that does not answer. A primary's NO_HIT is an
answer, and a billed one: by default it ends the chain ("stop after the first success"); with
`fallback_on_no_hit` the fallback is pulled too, for banks whose second bureau covers people the
first does not — a second billed call, made after the first (docs/decisions/0016).

Every pull carries an idempotency key derived from the business transaction (`transaction_id`
and the bureau), so a retry after a timeout is not billed twice and leaves one hard inquiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from journey.cqrs.clock import Clock, SystemClock
from journey.query_side.credit.model import CreditCheck, CreditReport
from journey.query_side.credit.port import CreditBureau, CreditSubject
from journey.query_side.credit.reports import MemoryReportStore, ReportStore
from journey.query_side.resilience import Guard, ProviderUnavailable
from journey.query_side.subjects import subject_key

REUSE_WINDOW = timedelta(days=15)


class CreditRecordService:
    def __init__(
        self,
        bureaus: Sequence[CreditBureau],
        *,
        reports: ReportStore | None = None,
        guards: dict[str, Guard] | None = None,
        clock: Clock | None = None,
        reuse_window: timedelta = REUSE_WINDOW,
        fallback_on_no_hit: bool = False,
    ) -> None:
        if not bureaus:
            raise ValueError("the credit-record service needs at least one bureau")
        self._bureaus = list(bureaus)
        self._reports = reports or MemoryReportStore()
        self.guards = guards or {bureau.name: Guard(bureau.name) for bureau in self._bureaus}
        self._clock = clock or SystemClock()
        self._reuse_window = reuse_window
        self._fallback_on_no_hit = fallback_on_no_hit

    async def check(
        self,
        country: str,
        national_id: str,
        *,
        transaction_id: str,
        consented: bool,
        hard: bool = False,
    ) -> CreditCheck:
        """The applicant's credit record for `transaction_id` (an application or request id)."""
        if not consented:
            return CreditCheck(
                outcome="NO_CONSENT", reason="the applicant has not authorized a bureau check"
            )
        subject = subject_key(country, national_id)
        recent = await self._reports.latest(subject)
        if recent is not None and self._clock.now() - recent.pulled_at < self._reuse_window:
            return CreditCheck(outcome="REUSED", report=recent, bureaus_tried=[])
        tried: list[str] = []
        best: CreditReport | None = None
        for bureau in self._bureaus:
            tried.append(bureau.name)
            try:
                report = await self._pull(bureau, country, national_id, transaction_id, hard)
            except ProviderUnavailable:
                continue
            await self._reports.save(report)
            best = best or report
            if report.hit != "NO_HIT" or not self._fallback_on_no_hit:
                return CreditCheck(outcome="REPORT", report=report, bureaus_tried=tried)
        if best is not None:  # every bureau that answered had no file
            return CreditCheck(outcome="REPORT", report=best, bureaus_tried=tried)
        return CreditCheck(
            outcome="BUREAU_UNAVAILABLE",
            bureaus_tried=tried,
            reason="no bureau answered",
        )

    async def _pull(
        self,
        bureau: CreditBureau,
        country: str,
        national_id: str,
        transaction_id: str,
        hard: bool,
    ) -> CreditReport:
        pull_id = f"{transaction_id}:{bureau.name}"
        subject = CreditSubject(country=country, national_id=national_id)
        # The pull id makes the pull idempotent at the bureau, so it may be retried.
        return await self.guards[bureau.name].call(
            lambda: bureau.pull(subject, pull_id=pull_id, hard=hard), idempotent=True
        )
