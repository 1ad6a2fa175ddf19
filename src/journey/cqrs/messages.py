"""Commands, events and queries: typed, immutable, named for what they are.

- A **command** asks for a change and is named in the imperative (`OpenAccount`).
- An **event** records a change that happened and is named in the past tense (`AccountOpened`).
  Its `event_type` and `schema_version` are a public schema: renaming or reshaping an event needs
  an upcaster (see `journey.cqrs.serialization`).
- A **query** asks for data without changing anything and is named `Get…` or `List…`.

Fields holding personal data are declared `Personal[T]` and the event names its data subject with
a `DataSubject` field; the serializer encrypts those fields with the subject's key, and once that
key is shredded they read back as `None`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Marks a field as personal data, encrypted per data subject and erasable."""


@dataclass(frozen=True, slots=True)
class DataSubjectId:
    """Marks the field that names whose personal data an event carries (e.g. a customer id)."""


PERSONAL = PersonalData()

Personal = Annotated[T | None, PERSONAL]
"""A personal field: a value when written, `None` once its subject's key has been shredded."""

DataSubject = Annotated[str, DataSubjectId()]
"""The field naming the data subject whose key encrypts this event's personal fields."""


class Message(BaseModel):
    """Base of every message: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Command(Message):
    """A request to change state. Exactly one handler deals with each command type."""

    command_type: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "command_type" not in cls.__dict__:
            cls.command_type = cls.__name__


class Event(Message):
    """A fact that happened. `event_type` + `schema_version` identify its stored shape."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "event_type" not in cls.__dict__:
            cls.event_type = cls.__name__
        if cls.schema_version < 1:
            raise TypeError(f"{cls.__name__}.schema_version must be 1 or more")


class Query(Message, Generic[R]):
    """A request for data that changes nothing. Named `Get…` or `List…`; answers with an `R`."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        name = cls.__name__
        if not name.startswith(("Get", "List")) and "[" not in name:
            raise TypeError(f"query {name} must be named Get… or List…")
