"""Evidence: every outside answer given during an application, kept as an immutable event.

So "why was this applicant approved, as known at time T" can be answered and replayed. The full
answer is personal data: it is encrypted under the applicant's pseudonymous subject key and
becomes unreadable if they are erased; the hashes and outcome codes stay.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

import orjson

from journey.cqrs.clock import Clock
from journey.cqrs.context import MessageContext, current_context
from journey.cqrs.ids import new_id
from journey.cqrs.messages import DataSubject, Event, Personal
from journey.cqrs.serialization import EventCodec
from journey.cqrs.store.model import ANY_VERSION
from journey.cqrs.store.port import Storage
from journey.query_side.prequalification.model import Applicant, CheckResult
from journey.query_side.subjects import subject_key


class OutsideAnswerRecorded(Event):
    """What one outside system answered about an applicant, when, and how it was judged."""

    event_type = "journey.evidence.OutsideAnswerRecorded"

    application_id: str
    subject_id: DataSubject
    service: Literal["screening", "citizen", "crm", "cdp", "credit"]
    provider: str
    provider_version: str | None
    outcome: str
    verdict: str
    reasons: list[str]
    from_cache: bool
    request_hash: str
    response_hash: str
    answered_at: datetime
    answer: Personal[dict[str, Any]]


EVIDENCE_EVENTS: tuple[type[Event], ...] = (OutsideAnswerRecorded,)


def evidence_stream(application_id: str) -> str:
    return f"evidence-{application_id}"


def evidence_events(
    application_id: str, applicant: Applicant, checks: list[CheckResult], now: datetime
) -> list[OutsideAnswerRecorded]:
    """The evidence events for an application's checks (append them wherever fits)."""
    subject = subject_key(applicant.country, applicant.national_id)
    request_hash = _hash(applicant.model_dump(mode="json"))
    return [
        OutsideAnswerRecorded(
            application_id=application_id,
            subject_id=subject,
            service=check.service,
            provider=check.provider,
            provider_version=check.provider_version,
            outcome=check.outcome,
            verdict=check.verdict.value,
            reasons=check.reasons,
            from_cache=check.from_cache,
            request_hash=request_hash,
            response_hash=_hash(check.answer),
            answered_at=now,
            answer=check.answer,
        )
        for check in checks
    ]


class KernelEvidenceLog:
    """Appends evidence to the application's evidence stream in the event log."""

    def __init__(self, storage: Storage, codec: EventCodec, clock: Clock) -> None:
        self._storage = storage
        self._codec = codec
        self._clock = clock

    async def record(
        self, application_id: str, applicant: Applicant, checks: list[CheckResult]
    ) -> None:
        now = self._clock.now()
        context = (current_context() or MessageContext.root()).child()
        records = [
            await self._codec.encode(
                event, event_id=new_id(), time=now, context=context, subject=application_id
            )
            for event in evidence_events(application_id, applicant, checks, now)
        ]
        await self._storage.append(evidence_stream(application_id), ANY_VERSION, records)


def _hash(value: Any) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()
