"""Messages are typed, immutable and named for their role; context flows to what they cause."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from journey.cqrs.context import MessageContext, child_traceparent, trace_id
from journey.cqrs.messages import Command, Event, Query


class SomethingHappened(Event):
    value: int


class DoSomething(Command):
    value: int


def test_events_are_immutable_and_refuse_unknown_fields() -> None:
    event = SomethingHappened(value=1)
    with pytest.raises(ValidationError):
        event.value = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        SomethingHappened(value=1, surprise=True)  # type: ignore[call-arg]


def test_event_and_command_types_default_to_the_class_name() -> None:
    assert SomethingHappened.event_type == "SomethingHappened"
    assert SomethingHappened.schema_version == 1
    assert DoSomething.command_type == "DoSomething"


def test_a_query_must_be_named_get_or_list() -> None:
    class GetThing(Query[int]):
        pass

    class ListThings(Query[list[int]]):
        pass

    with pytest.raises(TypeError, match="Get… or List…"):

        class FetchThing(Query[int]):
            pass


def test_an_event_schema_version_below_one_is_refused() -> None:
    with pytest.raises(TypeError, match="schema_version"):

        class Broken(Event):
            schema_version = 0


def test_a_child_context_keeps_the_correlation_and_names_its_cause() -> None:
    root = MessageContext.root(actor="user-1")
    child = root.child()
    assert child.correlation_id == root.correlation_id == root.message_id
    assert child.causation_id == root.message_id
    assert child.message_id != root.message_id
    assert child.actor == "user-1"
    assert trace_id(child.traceparent) == trace_id(root.traceparent) is not None


def test_a_malformed_traceparent_starts_a_new_trace() -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert trace_id(child_traceparent(parent)) == "0af7651916cd43dd8448eb211c80319c"
    assert child_traceparent(parent) != parent
    assert trace_id(child_traceparent("garbage")) is not None
    assert trace_id(child_traceparent("garbage")) != "0af7651916cd43dd8448eb211c80319c"
