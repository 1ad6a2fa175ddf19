"""The test bench in the journey: a personalized card gets exactly one RF verdict in its stream;
a broken station parks the event instead of judging the card."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import orjson
import pytest

from journey.cards.events import CardPersonalized
from journey.cqrs.clock import ManualClock
from journey.cqrs.context import MessageContext
from journey.cqrs.dead_letters import request_redrive
from journey.cqrs.ids import new_id
from journey.cqrs.runtime import Kernel
from journey.cqrs.store.memory import MemoryStorage
from journey.cqrs.store.model import DeadLetterStatus
from journey.testbench import integration
from journey.testbench.integration import RESULTS, CardRfTestConsumer, StationCardTester
from journey.testbench.runtime import Station, open_station
from journey.testbench.sequences.record import TestRecord
from journey.testbench.simulators.config import SimulationConfig, Timing
from journey.testbench.simulators.host import SimulatorHost
from journey.testbench.simulators.physics.cards import Defect
from journey.testbench.station import load_station
from tests.support.kernel import kernel_on

SIMULATION = SimulationConfig(seed=21, timing=Timing.fast()).with_defect_rate(0.3)


def serial_with(defect: Defect) -> str:
    for index in range(20_000):
        serial = f"PS-{index}"
        if SIMULATION.population.draw(SIMULATION.seed, serial).defect is defect:
            return serial
    raise AssertionError(defect)


class CountingTester:
    """The station tester, counting how many physical tests it ran."""

    def __init__(self, station: Station) -> None:
        self.inner = StationCardTester(station)
        self.calls = 0

    async def test_card(self, dut_id: str) -> TestRecord:
        self.calls += 1
        return await self.inner.test_card(dut_id)


@pytest.fixture
def host() -> Iterator[SimulatorHost]:
    with SimulatorHost(load_station(), SIMULATION) as running:
        yield running


@pytest.fixture
def tester(host: SimulatorHost) -> Iterator[CountingTester]:
    station = open_station(host.station())
    yield CountingTester(station)
    station.close()


@pytest.fixture
async def kernel(tester: CountingTester) -> AsyncIterator[Kernel]:
    built = await kernel_on(
        MemoryStorage(), modules=[integration.testbench_module(tester)], clock=ManualClock()
    )
    yield built
    await built.close()


async def personalize(kernel: Kernel, card_id: str, serial: str) -> str:
    event = CardPersonalized(
        card_id=card_id,
        account_id="acc-1",
        application_id="app-1",
        design_code="CLASSIC",
        plastic_serial=serial,
    )
    event_id = new_id()
    record = await kernel.codec.encode(
        event, event_id=event_id, time=kernel.clock.now(), context=MessageContext.root()
    )
    stream = f"card-{card_id}"
    await kernel.storage.append(stream, await kernel.storage.stream_version(stream), [record])
    return event_id


async def test_a_good_card_gets_a_passed_verdict_caused_by_its_personalization(
    kernel: Kernel,
) -> None:
    cause = await personalize(kernel, "c1", serial_with(Defect.NONE))
    await kernel.settle()
    stream = await kernel.storage.read_stream("card-c1")
    assert [event.event_type for event in stream] == ["CardPersonalized", "CardRfTestPassed"]
    verdict = stream[1]
    assert verdict.causation_id == cause
    data = orjson.loads(verdict.data)
    assert data["station_id"] == "rf-station-01"
    assert {m["name"] for m in data["measurements"]} >= {
        "resonance_frequency",
        "minimum_operating_field",
    }
    assert all(m["outcome"] == "PASS" for m in data["measurements"])
    row = await kernel.storage.get_document(RESULTS, "c1")
    assert row is not None
    assert row["verdict"] == "PASS"
    assert row["record"]["record_id"] == data["record_id"]


async def test_a_defective_card_gets_a_failed_verdict_naming_the_measurement(
    kernel: Kernel,
) -> None:
    await personalize(kernel, "c2", serial_with(Defect.WEAK_COUPLING))
    await kernel.settle()
    stream = await kernel.storage.read_stream("card-c2")
    assert stream[-1].event_type == "CardRfTestFailed"
    assert orjson.loads(stream[-1].data)["failed_measurements"] == ["minimum_operating_field"]


async def test_a_broken_station_parks_the_card_and_a_redrive_after_the_fix_judges_it_once(
    kernel: Kernel, host: SimulatorHost, tester: CountingTester
) -> None:
    host.call(lambda bench: bench.faults.stuck_open.add(1104))  # position 1's probe relay
    await personalize(kernel, "c3", serial_with(Defect.NONE))
    await kernel.settle()
    assert [e.event_type for e in await kernel.storage.read_stream("card-c3")] == [
        "CardPersonalized"
    ]
    letters = await kernel.storage.list_dead_letters(consumer=CardRfTestConsumer.name)
    assert len(letters) == 1
    assert letters[0].status is DeadLetterStatus.PARKED
    assert "TestAborted" in letters[0].error
    assert tester.calls == 3  # the kernel's retries, each a real attempt on the station

    host.call(lambda bench: bench.faults.stuck_open.clear())
    await request_redrive(kernel.storage, [letters[0].id])
    await kernel.settle()
    stream = await kernel.storage.read_stream("card-c3")
    assert [e.event_type for e in stream] == ["CardPersonalized", "CardRfTestPassed"]
    await kernel.settle()
    assert len(await kernel.storage.read_stream("card-c3")) == 2


async def test_rebuilding_the_results_does_not_test_the_cards_again(
    kernel: Kernel, tester: CountingTester
) -> None:
    await personalize(kernel, "c4", serial_with(Defect.NONE))
    await personalize(kernel, "c5", serial_with(Defect.DETUNED))
    await kernel.settle()
    assert tester.calls == 2
    await kernel.projections.rebuild(CardRfTestConsumer.name)
    assert tester.calls == 2
    rows = {key: await kernel.storage.get_document(RESULTS, key) for key in ("c4", "c5")}
    assert {key: row["verdict"] for key, row in rows.items() if row} == {
        "c4": "PASS",
        "c5": "FAIL",
    }
    assert len(await kernel.storage.read_stream("card-c4")) == 2
