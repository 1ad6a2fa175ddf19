"""The onboarding journey as a kernel module: the saga, its bridge commands, its read models."""

from __future__ import annotations

from journey.cqrs.module import Module
from journey.onboarding.bridge import (
    NotifyJourneyMilestone,
    PushCustomerRecords,
    ShipCard,
    notify_journey_milestone,
    push_customer_records,
    ship_card,
)
from journey.onboarding.queries import (
    GetJourney,
    ListCustomerJourneys,
    ListJourneys,
    ListReviewQueue,
    get_journey,
    list_customer_journeys,
    list_journeys,
    list_review_queue,
)
from journey.onboarding.read_models import JourneyStatus, ReviewQueue
from journey.onboarding.saga import Deadlines, OnboardingSaga


def onboarding_module(deadlines: Deadlines | None = None) -> Module:
    return Module(
        name="onboarding",
        commands={
            NotifyJourneyMilestone: notify_journey_milestone,
            PushCustomerRecords: push_customer_records,
            ShipCard: ship_card,
        },
        queries={
            GetJourney: get_journey,
            ListJourneys: list_journeys,
            ListReviewQueue: list_review_queue,
            ListCustomerJourneys: list_customer_journeys,
        },
        projections=[JourneyStatus(), ReviewQueue()],
        sagas=[OnboardingSaga(deadlines)],
    )
