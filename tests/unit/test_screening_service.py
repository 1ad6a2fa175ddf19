"""The screening service: outcomes, thresholds from settings, remembered clearances, logs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import structlog
from pydantic import ValidationError

from journey.cqrs.clock import ManualClock
from journey.query_side.restrictive_lists.clearances import InMemoryClearanceStore
from journey.query_side.restrictive_lists.entries import (
    BirthDate,
    ListedName,
    ListEntry,
    ListSet,
    LoadedList,
)
from journey.query_side.restrictive_lists.model import (
    ClearanceRequest,
    Outcome,
    ScreeningResult,
    ScreeningSubject,
)
from journey.query_side.restrictive_lists.policy import MatchPolicy
from journey.query_side.restrictive_lists.port import RestrictiveListScreening, ScreeningError
from journey.query_side.restrictive_lists.screening import ScreeningEngine, ScreeningSettings

SANCTIONED = ListEntry(
    list_name="OFAC-SDN",
    entry_id="29001",
    names=(ListedName("PEREZ GONZALEZ, Jose Antonio"), ListedName("PEREZ, Jose", "alias")),
    birth_dates=(BirthDate.exact(date(1968, 3, 14)),),
    countries=frozenset({"CO"}),
    gender="M",
    topics=("sanction",),
    programs=("SDNTK",),
)
PEP = ListEntry(
    list_name="PEP",
    entry_id="PEP-1",
    names=(ListedName("Luis Vega Mendoza"),),
    birth_dates=(BirthDate.exact(date(1978, 4, 12)),),
    topics=("role.pep",),
    position="Senator",
)


def lists_at(version: str = "v1") -> ListSet:
    return ListSet(
        (
            LoadedList("OFAC-SDN", version, (SANCTIONED,), ("sdn.csv",)),
            LoadedList("PEP", "p1", (PEP,), ("pep.csv",)),
        )
    )


def engine(
    version: str = "v1", store: InMemoryClearanceStore | None = None, **policy: float
) -> ScreeningEngine:
    return ScreeningEngine(
        lists_at(version),
        policy=MatchPolicy(**policy),  # type: ignore[arg-type]
        clearances=store,
        clock=ManualClock(datetime(2026, 5, 1, tzinfo=UTC)),
    )


async def test_the_engine_is_the_in_process_screening_port() -> None:
    port: RestrictiveListScreening = engine()
    versions = await port.list_versions()
    assert [(v.name, v.version, v.entries) for v in versions] == [
        ("OFAC-SDN", "v1", 1),
        ("PEP", "p1", 1),
    ]


async def test_a_clean_name_is_clear_and_still_says_which_lists_were_consulted() -> None:
    result = await engine().screen(ScreeningSubject(full_name="Camila Rojas Ortiz"))
    assert result.outcome is Outcome.CLEAR
    assert result.hits == ()
    assert [v.name for v in result.lists] == ["OFAC-SDN", "PEP"]
    assert result.screened_at == datetime(2026, 5, 1, tzinfo=UTC)
    assert (result.thresholds.match, result.thresholds.review, result.thresholds.drop) == (
        0.92,
        0.80,
        0.70,
    )


async def test_a_partial_name_is_a_possible_match_for_an_analyst() -> None:
    result = await engine().screen(ScreeningSubject(full_name="Jose Gonzalez"))
    assert result.outcome is Outcome.POSSIBLE_MATCH
    assert [(h.entry_id, h.outcome) for h in result.hits] == [("29001", Outcome.POSSIBLE_MATCH)]


async def test_the_outcome_is_the_worst_of_the_hits() -> None:
    undated_twin = replace(SANCTIONED, entry_id="30000", birth_dates=())
    lists = ListSet((LoadedList("OFAC-SDN", "v1", (SANCTIONED, undated_twin), ("sdn.csv",)),))
    result = await ScreeningEngine(lists).screen(
        ScreeningSubject(full_name="Jose Antonio Perez Gonzalez", birth_date=date(1968, 9, 1))
    )
    assert [(h.entry_id, h.outcome) for h in result.hits] == [
        ("30000", Outcome.HIT),
        ("29001", Outcome.POSSIBLE_MATCH),  # same birth year, another day
    ]
    assert result.outcome is Outcome.HIT


async def test_a_hit_carries_the_evidence() -> None:
    hit = await engine().screen(
        ScreeningSubject(full_name="GONZALES PEREZ JOSE A", birth_date=date(1968, 3, 14))
    )
    assert hit.outcome is Outcome.HIT
    [evidence] = hit.hits
    assert (evidence.list_name, evidence.entry_id, evidence.list_version) == (
        "OFAC-SDN",
        "29001",
        "v1",
    )
    assert evidence.name == evidence.matched_name == "PEREZ GONZALEZ, Jose Antonio"
    assert evidence.topics == ("sanction",)
    assert evidence.programs == ("SDNTK",)
    assert evidence.birth_dates == ("1968-03-14",)
    assert [(a.feature, a.delta) for a in evidence.adjustments] == [("birth_date_match", 0.05)]


async def test_a_pep_is_reported_with_its_topic() -> None:
    result = await engine().screen(
        ScreeningSubject(full_name="Luis Vega Mendoza", birth_date=date(1978, 4, 12))
    )
    assert result.outcome is Outcome.HIT
    assert [(h.list_name, h.topics) for h in result.hits] == [("PEP", ("role.pep",))]


async def test_thresholds_decide_between_hit_possible_match_and_clear() -> None:
    subject = ScreeningSubject(full_name="Jose Antonio Perez")  # name score 3/3.2 = 0.9375
    assert (await engine().screen(subject)).outcome is Outcome.HIT
    assert (await engine(match_threshold=0.95).screen(subject)).outcome is Outcome.POSSIBLE_MATCH
    stricter = engine(match_threshold=0.99, review_threshold=0.95, drop_threshold=0.9)
    assert (await stricter.screen(subject)).outcome is Outcome.CLEAR


def test_settings_read_thresholds_and_the_lists_directory_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEY_SCREENING_MATCH_THRESHOLD", "0.95")
    monkeypatch.setenv("JOURNEY_SCREENING_REVIEW_THRESHOLD", "0.85")
    monkeypatch.setenv("JOURNEY_SCREENING_SCREEN_WEAK_ALIASES", "true")
    monkeypatch.setenv("JOURNEY_LISTS_DIR", "/srv/lists")
    settings = ScreeningSettings()
    policy = settings.policy()
    assert (policy.match_threshold, policy.review_threshold, policy.drop_threshold) == (
        0.95,
        0.85,
        0.70,
    )
    assert policy.screen_weak_aliases
    assert str(settings.lists_dir) == "/srv/lists"


def test_thresholds_out_of_order_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_SCREENING_REVIEW_THRESHOLD", "0.95")
    with pytest.raises(ValidationError, match="drop <= review <= match"):
        ScreeningSettings()
    with pytest.raises(ValueError, match="drop <= review <= match"):
        MatchPolicy(drop_threshold=0.9, review_threshold=0.8)


async def test_a_cleared_false_positive_is_not_raised_again_for_that_person() -> None:
    store = InMemoryClearanceStore()
    service = engine(store=store)
    subject = ScreeningSubject(full_name="Jose Antonio Perez", subject_key="CO:1020304050")
    first = await service.screen(subject)
    [hit] = first.hits
    clearance = await service.clear_false_positive(
        ClearanceRequest(
            subject_key="CO:1020304050",
            list_name=hit.list_name,
            entry_id=hit.entry_id,
            list_version=hit.list_version,
            analyst="analyst-7",
            reason="different person: registry photo and birth place differ",
        )
    )
    assert clearance.cleared_at == datetime(2026, 5, 1, tzinfo=UTC)
    again = await service.screen(subject)
    assert again.outcome is Outcome.CLEAR
    assert again.hits == ()
    assert [h.entry_id for h in again.cleared] == ["29001"]


async def test_a_clearance_covers_only_the_person_it_was_made_for() -> None:
    store = InMemoryClearanceStore()
    service = engine(store=store)
    await service.clear_false_positive(
        ClearanceRequest(
            subject_key="CO:1020304050",
            list_name="OFAC-SDN",
            entry_id="29001",
            list_version="v1",
            analyst="analyst-7",
            reason="different person",
        )
    )
    other = ScreeningSubject(full_name="Jose Antonio Perez", subject_key="CO:99999999")
    assert (await service.screen(other)).outcome is Outcome.HIT
    anonymous = ScreeningSubject(full_name="Jose Antonio Perez")
    assert (await service.screen(anonymous)).outcome is Outcome.HIT


async def test_a_new_list_version_raises_a_cleared_entry_again() -> None:
    store = InMemoryClearanceStore()  # one durable store across list updates
    subject = ScreeningSubject(full_name="Jose Antonio Perez", subject_key="CO:1020304050")
    await engine("v1", store).clear_false_positive(
        ClearanceRequest(
            subject_key="CO:1020304050",
            list_name="OFAC-SDN",
            entry_id="29001",
            list_version="v1",
            analyst="analyst-7",
            reason="different person",
        )
    )
    assert (await engine("v1", store).screen(subject)).outcome is Outcome.CLEAR
    republished = await engine("v2", store).screen(subject)
    assert republished.outcome is Outcome.HIT
    assert republished.cleared == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"list_name": "EU"}, "no list named 'EU'"),
        ({"entry_id": "404"}, "has no entry '404'"),
        ({"list_version": "v0"}, "now at version v1"),
    ],
)
async def test_clearing_an_unknown_entry_or_a_stale_list_version_is_refused(
    change: dict[str, str], message: str
) -> None:
    request = {
        "subject_key": "CO:1",
        "list_name": "OFAC-SDN",
        "entry_id": "29001",
        "list_version": "v1",
        "analyst": "a",
        "reason": "r",
    }
    store = InMemoryClearanceStore()
    with pytest.raises(ScreeningError, match=message):
        await engine(store=store).clear_false_positive(ClearanceRequest(**{**request, **change}))
    assert len(store) == 0


async def test_the_number_of_hits_shown_is_capped_but_not_the_outcome() -> None:
    twins = tuple(replace(SANCTIONED, entry_id=str(n)) for n in range(5))
    lists = ListSet((LoadedList("OFAC-SDN", "v1", twins, ("sdn.csv",)),))
    result = await ScreeningEngine(lists, policy=MatchPolicy(max_hits=2)).screen(
        ScreeningSubject(full_name="Jose Antonio Perez Gonzalez")
    )
    assert result.outcome is Outcome.HIT
    assert len(result.hits) == 2


async def test_screening_logs_the_outcome_but_never_a_name_or_a_national_id() -> None:
    subject = ScreeningSubject(
        full_name="GONZALES PEREZ JOSE A", birth_date=date(1968, 3, 14), subject_key="CO:1020304050"
    )
    service = engine()
    with structlog.testing.capture_logs() as logs:
        result = await service.screen(subject)
        await service.clear_false_positive(
            ClearanceRequest(
                subject_key="CO:1020304050",
                list_name="OFAC-SDN",
                entry_id="29001",
                list_version="v1",
                analyst="a",
                reason="r",
            )
        )
    assert result.outcome is Outcome.HIT
    assert logs[0]["outcome"] == "HIT"
    printed = json.dumps(logs, default=str).upper()
    for secret in ("GONZALES", "PEREZ", "JOSE", "1020304050", "1968"):
        assert secret not in printed


async def test_a_result_travels_as_json_with_the_fields_the_http_api_promises() -> None:
    result = await engine().screen(ScreeningSubject(full_name="GONZALES PEREZ JOSE A"))
    payload = json.loads(result.model_dump_json())
    assert payload["outcome"] == "HIT"
    hit = payload["hits"][0]
    assert {"list", "entry_id", "name", "score", "matched_name", "topics", "list_version"} <= set(
        hit
    )
    assert hit["list"] == "OFAC-SDN"
    assert ScreeningResult.model_validate(payload) == result
