"""The saga monitor: one document per saga instance with its status, for operators."""

from __future__ import annotations

from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.messages import Event
from journey.cqrs.projections import Projection
from journey.cqrs.sagas.events import (
    SagaCompensated,
    SagaCompensating,
    SagaCompleted,
    SagaStarted,
    SagaStepCompleted,
    SagaStepStarted,
    SagaStuck,
)
from journey.cqrs.serialization import Envelope

_TYPES = (
    SagaStarted,
    SagaStepStarted,
    SagaStepCompleted,
    SagaStuck,
    SagaCompensating,
    SagaCompensated,
    SagaCompleted,
)


class SagaMonitor(Projection):
    """Collection `sagas`: type, id, status, current step, why it is stuck, last change."""

    name = "saga_monitor"
    collections = ("sagas",)
    event_types = frozenset(cls.event_type for cls in _TYPES)

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        stream = envelope.stream_id
        if not stream.startswith("saga."):
            return
        saga_type, _, saga_id = stream.removeprefix("saga.").partition("-")
        document = await tx.get("sagas", stream) or {
            "stream_id": stream,
            "saga_type": saga_type,
            "saga_id": saga_id,
            "status": "running",
            "step": None,
            "stuck_reason": None,
            "started_at": envelope.time.isoformat(),
        }
        match envelope.event:
            case SagaStepStarted(step=step, compensation=compensation):
                document["step"] = step
                document["compensating"] = compensation
            case SagaStuck(step=step, reason=reason):
                document.update(status="stuck", step=step, stuck_reason=reason)
            case SagaCompensating():
                document["status"] = "compensating"
            case SagaCompensated():
                document.update(status="compensated", step=None)
            case SagaCompleted():
                document.update(status="completed", step=None)
            case SagaStepCompleted() if document["status"] == "stuck":
                document.update(status="running", stuck_reason=None)
        document["updated_at"] = envelope.time.isoformat()
        document["version"] = envelope.stream_version
        tx.put("sagas", stream, document)
