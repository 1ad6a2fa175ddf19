"""Where pulled reports are kept, so one under 15 days old is reused instead of re-billed."""

from __future__ import annotations

from typing import Protocol

from journey.cqrs.store.model import Commit, PutDocument
from journey.cqrs.store.port import Storage
from journey.query_side.credit.model import CreditReport

COLLECTION = "credit_reports"


class ReportStore(Protocol):
    async def latest(self, subject: str) -> CreditReport | None: ...

    async def save(self, report: CreditReport) -> None: ...


class MemoryReportStore:
    def __init__(self) -> None:
        self._reports: dict[str, CreditReport] = {}

    async def latest(self, subject: str) -> CreditReport | None:
        return self._reports.get(subject)

    async def save(self, report: CreditReport) -> None:
        known = self._reports.get(report.subject)
        if known is None or known.pulled_at <= report.pulled_at:
            self._reports[report.subject] = report


class StorageReportStore:
    """Reports as documents in the event store's database, so reuse survives restarts.

    Keyed by the pseudonymous subject; a report holds no name or national id.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def latest(self, subject: str) -> CreditReport | None:
        document = await self._storage.get_document(COLLECTION, subject)
        return None if document is None else CreditReport.model_validate(document)

    async def save(self, report: CreditReport) -> None:
        known = await self.latest(report.subject)
        if known is not None and known.pulled_at > report.pulled_at:
            return
        document = report.model_dump(mode="json")
        await self._storage.commit(
            Commit(documents=[PutDocument(COLLECTION, report.subject, document)])
        )
