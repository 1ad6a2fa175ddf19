"""The storage contract: every adapter (memory, SQLite; PostgreSQL later) must pass all of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from journey.cqrs.store import (
    ANY_VERSION,
    NO_STREAM,
    AlreadyProcessed,
    CheckpointConflict,
    CheckpointUpdate,
    ClearCollection,
    Commit,
    ConcurrencyError,
    DeadLetter,
    DeadLetterConflict,
    DeadLetterStatus,
    DeadLetterUpdate,
    DeleteDocument,
    DuplicateEventId,
    DuplicateIdempotencyKey,
    IdempotencyRecord,
    InboxEntry,
    PutDocument,
    ScheduledMessage,
    ScheduledMessageGone,
    ScheduledRetry,
    Snapshot,
    Storage,
    StreamAppend,
)
from tests.support.records import new_event, random_stream

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def scheduled(message_id: str, due: datetime) -> ScheduledMessage:
    return ScheduledMessage(
        id=message_id,
        due_at=due,
        kind="command",
        message_type="DoIt",
        payload="{}",
        correlation_id="corr",
        created_at=T0,
    )


def letter(letter_id: str, consumer: str = "c", position: int = 1) -> DeadLetter:
    return DeadLetter(
        id=letter_id,
        consumer=consumer,
        kind="event",
        message_id=f"event-{letter_id}",
        message_type="Thing",
        payload="{}",
        error="boom",
        attempts=3,
        status=DeadLetterStatus.PARKED,
        parked_at=T0 + timedelta(seconds=position),
        updated_at=T0,
        sequence_key="s1",
        position=position,
    )


class TestAppendingAndReading:
    async def test_events_appended_to_a_new_stream_read_back_in_order_with_versions(
        self, storage: Storage
    ) -> None:
        stream = random_stream()
        events = [new_event(data={"n": n}) for n in range(3)]
        result = await storage.append(stream, NO_STREAM, events)
        stored = await storage.read_stream(stream)
        assert [e.event_id for e in stored] == [e.event_id for e in events]
        assert [e.stream_version for e in stored] == [1, 2, 3]
        assert result.stream_versions == {stream: 3}
        assert result.last_position == stored[-1].position
        assert result.first_position == stored[0].position

    async def test_stored_events_keep_every_envelope_attribute(self, storage: Storage) -> None:
        stream = random_stream()
        event = new_event(correlation_id="journey-1")
        await storage.append(stream, NO_STREAM, [event])
        (stored,) = await storage.read_stream(stream)
        assert stored.event_type == event.event_type
        assert stored.data == event.data
        assert stored.time == event.time
        assert stored.correlation_id == "journey-1"
        assert stored.source == event.source
        cloud = stored.to_cloudevent()
        assert cloud["specversion"] == "1.0"
        assert cloud["id"] == event.event_id
        assert cloud["streamid"] == stream
        assert cloud["position"] == stored.position

    async def test_appending_with_a_stale_version_raises_and_writes_nothing(
        self, storage: Storage
    ) -> None:
        stream = random_stream()
        await storage.append(stream, NO_STREAM, [new_event()])
        with pytest.raises(ConcurrencyError) as raised:
            await storage.append(stream, NO_STREAM, [new_event()])
        assert (raised.value.expected, raised.value.actual) == (0, 1)
        with pytest.raises(ConcurrencyError):
            await storage.append(stream, 5, [new_event()])
        assert await storage.stream_version(stream) == 1

    async def test_any_version_appends_without_a_check(self, storage: Storage) -> None:
        stream = random_stream()
        await storage.append(stream, ANY_VERSION, [new_event()])
        await storage.append(stream, ANY_VERSION, [new_event()])
        assert await storage.stream_version(stream) == 2

    async def test_an_event_id_already_in_the_log_is_refused(self, storage: Storage) -> None:
        event = new_event()
        await storage.append(random_stream(), NO_STREAM, [event])
        other = random_stream()
        with pytest.raises(DuplicateEventId):
            await storage.append(other, NO_STREAM, [new_event(), event])
        assert await storage.read_stream(other) == []

    async def test_read_all_returns_the_log_in_position_order_after_a_position(
        self, storage: Storage
    ) -> None:
        streams = [random_stream() for _ in range(3)]
        for stream in streams:
            await storage.append(stream, NO_STREAM, [new_event("A"), new_event("B")])
        everything = await storage.read_all()
        positions = [e.position for e in everything]
        assert positions == sorted(positions) == list(range(1, 7))
        later = await storage.read_all(after_position=2, limit=2)
        assert [e.position for e in later] == [3, 4]
        only_b = await storage.read_all(event_types=["B"])
        assert [e.event_type for e in only_b] == ["B"] * 3
        assert await storage.read_all(event_types=[]) == []
        assert await storage.last_position() == 6

    async def test_reading_a_stream_after_a_version_skips_what_is_known(
        self, storage: Storage
    ) -> None:
        stream = random_stream()
        await storage.append(stream, NO_STREAM, [new_event() for _ in range(5)])
        assert [e.stream_version for e in await storage.read_stream(stream, after_version=3)] == [
            4,
            5,
        ]
        assert len(await storage.read_stream(stream, after_version=1, limit=2)) == 2

    async def test_a_replay_read_returns_only_what_rebuilding_needs(self, storage: Storage) -> None:
        stream = random_stream()
        await storage.append(stream, NO_STREAM, [new_event("A"), new_event("B"), new_event("C")])
        replay = await storage.read_for_replay(stream, after_version=1)
        assert [(r.stream_version, r.event_type, r.schema_version) for r in replay] == [
            (2, "B", 1),
            (3, "C", 1),
        ]
        assert replay[0].data == '{"n":1}'
        assert await storage.read_for_replay(random_stream()) == []

    async def test_an_event_can_be_found_by_its_id(self, storage: Storage) -> None:
        event = new_event()
        await storage.append(random_stream(), NO_STREAM, [event])
        found = await storage.read_event(event.event_id)
        assert found is not None
        assert found.event_id == event.event_id
        assert await storage.read_event("no-such-event") is None


class TestConcurrency:
    async def test_of_many_concurrent_writers_at_one_version_exactly_one_wins(
        self, storage: Storage
    ) -> None:
        stream = random_stream()
        outcomes = await asyncio.gather(
            *(storage.append(stream, NO_STREAM, [new_event()]) for _ in range(30)),
            return_exceptions=True,
        )
        winners = [o for o in outcomes if not isinstance(o, BaseException)]
        losers = [o for o in outcomes if isinstance(o, ConcurrencyError)]
        assert len(winners) == 1
        assert len(losers) == 29
        assert await storage.stream_version(stream) == 1

    async def test_concurrent_writers_on_distinct_streams_all_land_with_no_gaps(
        self, storage: Storage
    ) -> None:
        streams = [random_stream() for _ in range(40)]
        await asyncio.gather(
            *(storage.append(s, NO_STREAM, [new_event(), new_event()]) for s in streams)
        )
        log = await storage.read_all(limit=1000)
        assert [e.position for e in log] == list(range(1, 81))
        for stream in streams:
            assert [e.stream_version for e in await storage.read_stream(stream)] == [1, 2]

    async def test_a_commit_is_all_or_nothing_across_streams(self, storage: Storage) -> None:
        taken = random_stream()
        await storage.append(taken, NO_STREAM, [new_event()])
        fresh = random_stream()
        commit = Commit(
            appends=[
                StreamAppend(fresh, NO_STREAM, [new_event()]),
                StreamAppend(taken, NO_STREAM, [new_event()]),
            ],
            checkpoints=[CheckpointUpdate("projector", 0, 9)],
            documents=[PutDocument("things", "k", {"a": 1})],
        )
        with pytest.raises(ConcurrencyError):
            await storage.commit(commit)
        assert await storage.read_stream(fresh) == []
        assert await storage.get_checkpoint("projector") == 0
        assert await storage.get_document("things", "k") is None

    async def test_two_appends_to_one_stream_in_one_commit_chain_their_versions(
        self, storage: Storage
    ) -> None:
        stream = random_stream()
        await storage.commit(
            Commit(
                appends=[
                    StreamAppend(stream, NO_STREAM, [new_event()]),
                    StreamAppend(stream, 1, [new_event()]),
                ]
            )
        )
        assert await storage.stream_version(stream) == 2

    async def test_waiting_for_an_append_wakes_when_one_commits(self, storage: Storage) -> None:
        position = await storage.last_position()
        waiter = asyncio.ensure_future(storage.wait_for_append(position, timeout=5))
        await asyncio.sleep(0.01)
        await storage.append(random_stream(), NO_STREAM, [new_event()])
        assert await asyncio.wait_for(waiter, 2) is True
        assert await storage.wait_for_append(position + 1, timeout=0.05) is False


class TestConsumerState:
    async def test_checkpoints_move_only_from_the_expected_position(self, storage: Storage) -> None:
        assert await storage.get_checkpoint("p") == 0
        await storage.commit(Commit(checkpoints=[CheckpointUpdate("p", 0, 10)]))
        with pytest.raises(CheckpointConflict) as raised:
            await storage.commit(Commit(checkpoints=[CheckpointUpdate("p", 0, 20)]))
        assert raised.value.actual == 10
        await storage.commit(Commit(checkpoints=[CheckpointUpdate("p", 10, 20)]))
        assert await storage.list_checkpoints() == {"p": 20}

    async def test_an_inbox_entry_is_refused_the_second_time(self, storage: Storage) -> None:
        await storage.commit(Commit(inbox=[InboxEntry("c", "m1")]))
        assert await storage.has_processed("c", "m1")
        assert not await storage.has_processed("other", "m1")
        stream = random_stream()
        with pytest.raises(AlreadyProcessed):
            await storage.commit(
                Commit(
                    inbox=[InboxEntry("c", "m1")],
                    appends=[StreamAppend(stream, NO_STREAM, [new_event()])],
                )
            )
        assert await storage.read_stream(stream) == []

    async def test_an_idempotency_record_remembers_where_its_events_landed(
        self, storage: Storage
    ) -> None:
        record = IdempotencyRecord("key-1", "abc", '{"id": 7}', None, T0)
        result = await storage.commit(
            Commit(
                idempotency=[record],
                appends=[StreamAppend(random_stream(), NO_STREAM, [new_event()])],
            )
        )
        stored = await storage.get_idempotency("key-1")
        assert stored is not None
        assert stored.result == '{"id": 7}'
        assert stored.position == result.last_position
        with pytest.raises(DuplicateIdempotencyKey) as raised:
            await storage.commit(
                Commit(idempotency=[IdempotencyRecord("key-1", "other", "{}", None, T0)])
            )
        assert raised.value.existing.fingerprint == "abc"


class TestSchedule:
    async def test_due_messages_come_earliest_first_and_later_ones_wait(
        self, storage: Storage
    ) -> None:
        await storage.commit(
            Commit(
                schedule=[
                    scheduled("b", T0 + timedelta(minutes=2)),
                    scheduled("a", T0 + timedelta(minutes=1)),
                    scheduled("c", T0 + timedelta(days=1)),
                ]
            )
        )
        due = await storage.due_scheduled(T0 + timedelta(minutes=5))
        assert [m.id for m in due] == ["a", "b"]
        assert due[0].due_at == T0 + timedelta(minutes=1)
        assert await storage.next_due_at() == T0 + timedelta(minutes=1)

    async def test_completing_a_message_removes_it_and_a_second_completion_is_refused(
        self, storage: Storage
    ) -> None:
        await storage.commit(Commit(schedule=[scheduled("a", T0)]))
        stream = random_stream()
        await storage.commit(
            Commit(
                complete_scheduled=["a"], appends=[StreamAppend(stream, NO_STREAM, [new_event()])]
            )
        )
        assert await storage.get_scheduled("a") is None
        with pytest.raises(ScheduledMessageGone):
            await storage.commit(
                Commit(
                    complete_scheduled=["a"],
                    appends=[StreamAppend(stream, ANY_VERSION, [new_event()])],
                )
            )
        assert await storage.stream_version(stream) == 1

    async def test_a_retry_moves_the_due_time_and_counts_the_attempt(
        self, storage: Storage
    ) -> None:
        await storage.commit(Commit(schedule=[scheduled("a", T0)]))
        later = T0 + timedelta(seconds=30)
        await storage.commit(Commit(retry_scheduled=[ScheduledRetry("a", later, 1, "Timeout")]))
        message = await storage.get_scheduled("a")
        assert message is not None
        assert (message.due_at, message.attempts, message.last_error) == (later, 1, "Timeout")
        assert await storage.due_scheduled(T0) == []

    async def test_cancelling_a_message_that_is_gone_is_harmless(self, storage: Storage) -> None:
        await storage.commit(Commit(schedule=[scheduled("a", T0)]))
        await storage.commit(Commit(cancel_scheduled=["a", "never-existed"]))
        assert await storage.get_scheduled("a") is None


class TestDeadLetters:
    async def test_dead_letters_list_oldest_first_and_filter_by_consumer_and_status(
        self, storage: Storage
    ) -> None:
        await storage.commit(
            Commit(
                dead_letters=[letter("2", position=2), letter("1", position=1), letter("x", "d")]
            )
        )
        assert [d.id for d in await storage.list_dead_letters(consumer="c")] == ["1", "2"]
        await storage.commit(
            Commit(
                dead_letter_updates=[
                    DeadLetterUpdate("1", DeadLetterStatus.PARKED, DeadLetterStatus.RESOLVED)
                ]
            )
        )
        parked = await storage.list_dead_letters(statuses=[DeadLetterStatus.PARKED])
        assert {d.id for d in parked} == {"2", "x"}
        resolved = await storage.get_dead_letter("1")
        assert resolved is not None
        assert resolved.status is DeadLetterStatus.RESOLVED
        assert resolved.sequence_key == "s1"

    async def test_a_dead_letter_update_from_the_wrong_status_is_refused(
        self, storage: Storage
    ) -> None:
        await storage.commit(Commit(dead_letters=[letter("1")]))
        with pytest.raises(DeadLetterConflict):
            await storage.commit(
                Commit(
                    dead_letter_updates=[
                        DeadLetterUpdate(
                            "1", DeadLetterStatus.REDRIVE_REQUESTED, DeadLetterStatus.RESOLVED
                        )
                    ]
                )
            )
        with pytest.raises(DeadLetterConflict):
            await storage.commit(
                Commit(
                    dead_letter_updates=[
                        DeadLetterUpdate("nope", DeadLetterStatus.PARKED, DeadLetterStatus.RESOLVED)
                    ]
                )
            )


class TestDocuments:
    async def test_documents_are_put_found_ordered_counted_and_deleted(
        self, storage: Storage
    ) -> None:
        docs = {
            "a": {"status": "open", "score": 3, "vip": True},
            "b": {"status": "open", "score": 1, "vip": False},
            "c": {"status": "closed", "score": 2},
        }
        await storage.commit(Commit(documents=[PutDocument("t", k, v) for k, v in docs.items()]))
        assert await storage.get_document("t", "a") == docs["a"]
        found = await storage.find_documents("t", where={"status": "open"}, order_by="score")
        assert [d["score"] for d in found] == [1, 3]
        newest_first = await storage.find_documents("t", order_by="score", descending=True)
        assert [d["score"] for d in newest_first] == [3, 2, 1]
        assert [
            d["score"]
            for d in await storage.find_documents("t", order_by="score", limit=1, offset=1)
        ] == [2]
        assert await storage.count_documents("t", where={"vip": True}) == 1
        assert await storage.count_documents("t", where={"vip": None}) == 1
        await storage.commit(Commit(documents=[DeleteDocument("t", "a")]))
        assert await storage.get_document("t", "a") is None
        await storage.commit(Commit(documents=[ClearCollection("t")]))
        assert await storage.count_documents("t") == 0

    async def test_a_scan_can_ask_for_only_some_fields_of_each_document(
        self, storage: Storage
    ) -> None:
        docs = {
            "a": {"status": "open", "score": 3, "timeline": [{"t": 1}, {"t": 2}], "note": None},
            "b": {"status": "open", "score": 1, "timeline": [], "tags": {"x": "y"}},
            "c": {"status": "closed", "score": 2},
        }
        await storage.commit(Commit(documents=[PutDocument("t", k, v) for k, v in docs.items()]))
        found = await storage.find_documents(
            "t", where={"status": "open"}, order_by="score", fields=["score", "tags", "note"]
        )
        # Only what was asked, values as stored (null kept, absent left out), filter and order
        # as without `fields`.
        assert found == [{"score": 1, "tags": {"x": "y"}}, {"score": 3, "note": None}]
        assert await storage.find_documents("t", order_by="score", limit=1, fields=[]) == [{}]
        with pytest.raises(ValueError, match="field name"):
            await storage.find_documents("t", fields=["doc') --"])

    async def test_document_queries_refuse_field_names_that_are_not_identifiers(
        self, storage: Storage
    ) -> None:
        with pytest.raises(ValueError, match="field name"):
            await storage.find_documents("t", where={"a') OR 1=1 --": 1})


class TestSnapshots:
    async def test_the_latest_snapshot_of_a_stream_replaces_the_previous(
        self, storage: Storage
    ) -> None:
        await storage.commit(Commit(snapshots=[Snapshot("s-1", 10, "Account", 1, '{"b": 1}')]))
        await storage.commit(Commit(snapshots=[Snapshot("s-1", 20, "Account", 1, '{"b": 2}')]))
        snapshot = await storage.get_snapshot("s-1")
        assert snapshot == Snapshot("s-1", 20, "Account", 1, '{"b": 2}')
        assert await storage.get_snapshot("s-2") is None
