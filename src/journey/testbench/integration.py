"""The test bench in the journey: `CardPersonalized` in, `CardRfTestPassed/Failed` out.

`CardRfTestConsumer` is a kernel consumer. For each personalized card it has the station test
the physical card (found by its plastic serial) and appends the verdict to the card's stream in
the same commit as its checkpoint, so each card gets exactly one verdict per personalization.

A test that ends in ERROR (the station could not judge: an instrument down, a route that cannot
be made, the handler stuck) raises `TestAborted`: the kernel retries the event with backoff and
then parks it as a dead letter, to be redriven once the station is fixed. A card is never
passed, nor failed, by a broken station.

The consumer runs instrument I/O (seconds per card) on a worker thread, never on the event loop.
Installed as a projection (the kernel's consumer slot in `Module`); a rebuild does not retest
cards: a verdict already in the stream is recognised and only its read-model row is rewritten.
"""

from __future__ import annotations

import asyncio
import threading
from typing import ClassVar, Protocol

from journey.cards.events import CardPersonalized
from journey.cqrs.consumers import ConsumerTransaction
from journey.cqrs.context import MessageContext
from journey.cqrs.messages import Event
from journey.cqrs.module import Module
from journey.cqrs.projections import Projection
from journey.cqrs.serialization import Envelope
from journey.testbench.errors import TestAborted
from journey.testbench.events import (
    TESTBENCH_EVENTS,
    CardRfTestFailed,
    CardRfTestPassed,
    measurements_of,
)
from journey.testbench.multisite import Site
from journey.testbench.runtime import Station
from journey.testbench.sequences.card_test import card_test_phases
from journey.testbench.sequences.record import TestRecord, Verdict
from journey.testbench.sequences.runner import SequenceRunner

RESULTS = "card_rf_tests"
_VERDICT_TYPES = frozenset({CardRfTestPassed.event_type, CardRfTestFailed.event_type})


class CardTester(Protocol):
    """Tests one physical card; returns its record (whatever the verdict)."""

    async def test_card(self, dut_id: str) -> TestRecord: ...


class StationCardTester:
    """Tests cards one at a time at one fixture position of a station."""

    def __init__(self, station: Station, position: int | None = None) -> None:
        number = position if position is not None else min(station.config.positions)
        self._site = Site(
            station,
            station.config.positions[number],
            SequenceRunner(station, card_test_phases(station.config)),
        )
        self._lock = threading.Lock()

    def test(self, dut_id: str) -> TestRecord:
        with self._lock:
            record = self._site.test(dut_id)
            self._site.station.keep_record(record)
            # To its bin: the card moves on to shipping or reissue. A handler failure here
            # raises, so the event is retried rather than a verdict sent for a card still stuck.
            self._site.unload()
            return record

    async def test_card(self, dut_id: str) -> TestRecord:
        return await asyncio.to_thread(self.test, dut_id)


class CardRfTestConsumer(Projection):
    name = "testbench.card_rf_test"
    collections = (RESULTS,)
    event_types: ClassVar[frozenset[str] | None] = frozenset({CardPersonalized.event_type})

    def __init__(self, tester: CardTester) -> None:
        self._tester = tester

    async def handle(self, envelope: Envelope[Event], tx: ConsumerTransaction) -> None:
        event = envelope.event
        if not isinstance(event, CardPersonalized):
            return
        stream_id = envelope.stream_id
        earlier = await self._verdict_already_recorded(envelope, tx)
        if earlier is not None:
            tx.put(RESULTS, event.card_id, earlier)  # a rebuild: keep the row, do not retest
            return
        record = await self._tester.test_card(event.plastic_serial)
        if record.verdict is Verdict.ERROR:
            raise TestAborted(event.plastic_serial, record.error or _first_error(record))
        verdict = self._verdict(event, record)
        versions: dict[str, int] = tx.scratch.setdefault("testbench.stream_versions", {})
        expected = versions.get(stream_id)
        if expected is None:
            expected = await tx.storage.stream_version(stream_id)
        tx.append(stream_id, [verdict], expected, context=MessageContext.of_event(envelope.record))
        versions[stream_id] = expected + 1
        tx.put(RESULTS, event.card_id, _row(event.card_id, verdict, record.to_json()))

    @staticmethod
    def _verdict(event: CardPersonalized, record: TestRecord) -> Event:
        common = {
            "card_id": event.card_id,
            "application_id": event.application_id,
            "plastic_serial": event.plastic_serial,
            "station_id": record.station_id,
            "position": record.position,
            "record_id": record.record_id,
            "marginal": record.marginal,
            "retries": record.retries,
            "measurements": measurements_of(record),
        }
        if record.verdict is Verdict.PASS:
            return CardRfTestPassed(**common)
        return CardRfTestFailed(**common, failed_measurements=tuple(record.failed_measurements))

    @staticmethod
    async def _verdict_already_recorded(
        envelope: Envelope[Event], tx: ConsumerTransaction
    ) -> dict[str, object] | None:
        later = await tx.storage.read_stream(
            envelope.stream_id, after_version=envelope.stream_version
        )
        for stored in later:
            if stored.event_type in _VERDICT_TYPES and stored.causation_id == envelope.event_id:
                decoded = await tx.codec.decode(stored)
                event = decoded.event
                assert isinstance(event, CardRfTestPassed | CardRfTestFailed)
                return _row(event.card_id, event, None)
        return None


def _row(card_id: str, verdict: Event, record: dict[str, object] | None) -> dict[str, object]:
    assert isinstance(verdict, CardRfTestPassed | CardRfTestFailed)
    return {
        "card_id": card_id,
        "plastic_serial": verdict.plastic_serial,
        "verdict": "PASS" if isinstance(verdict, CardRfTestPassed) else "FAIL",
        "marginal": verdict.marginal,
        "station_id": verdict.station_id,
        "record_id": verdict.record_id,
        "failed_measurements": list(getattr(verdict, "failed_measurements", ())),
        "record": record,
    }


def _first_error(record: TestRecord) -> str:
    for phase in record.phases:
        for attempt in phase.attempts:
            if attempt.error:
                return f"{phase.name}: {attempt.error}"
    return "no verdict"


def testbench_module(tester: CardTester) -> Module:
    """The test bench as a kernel module: its events and its consumer (installed as a
    projection, the slot `Module` offers for consumers)."""
    return Module(
        name="testbench",
        events=(CardPersonalized, *TESTBENCH_EVENTS),
        projections=(CardRfTestConsumer(tester),),
    )
