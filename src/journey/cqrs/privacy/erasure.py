"""Erasing a data subject: shred their key, then record a proof that carries no personal data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from journey.cqrs.clock import Clock
from journey.cqrs.context import MessageContext, current_context
from journey.cqrs.ids import new_id
from journey.cqrs.messages import Event
from journey.cqrs.privacy.keystore import KeyStore
from journey.cqrs.store.errors import ConcurrencyError
from journey.cqrs.store.model import NO_STREAM
from journey.cqrs.store.port import Storage

if TYPE_CHECKING:
    from journey.cqrs.serialization import EventCodec


class PersonalDataErased(Event):
    """Proof that a subject's personal data was made unreadable (their key destroyed)."""

    event_type = "journey.privacy.PersonalDataErased"

    subject_id: str
    reason: str
    erased_at: datetime
    key_destroyed: bool


def erasure_stream(subject: str) -> str:
    return f"erasure-{subject}"


async def erase_subject(
    subject: str,
    *,
    reason: str,
    keys: KeyStore,
    storage: Storage,
    codec: EventCodec,
    clock: Clock,
) -> bool:
    """Shred the subject's key and record `PersonalDataErased` once.

    The key goes first: if the process dies before the proof is written, the data is already
    unreadable and calling this again writes the proof. Returns False when the proof already
    existed (the subject was erased before).
    """
    destroyed = await keys.shred(subject)
    now = clock.now()
    context = (current_context() or MessageContext.root()).child()
    proof = await codec.encode(
        PersonalDataErased(
            subject_id=subject, reason=reason, erased_at=now, key_destroyed=destroyed
        ),
        event_id=new_id(),
        time=now,
        context=context,
        subject=subject,
    )
    try:
        await storage.append(erasure_stream(subject), NO_STREAM, [proof])
    except ConcurrencyError:
        return False
    return True
