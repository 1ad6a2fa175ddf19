"""The broker port (shaped after NATS JetStream), its in-process adapter and the relay."""

from journey.cqrs.broker.memory import MemoryBroker
from journey.cqrs.broker.port import Broker, BrokerMessage, Delivery, Handler, Subscription
from journey.cqrs.broker.subjects import subject_for, subject_matches

__all__ = [
    "Broker",
    "BrokerMessage",
    "Delivery",
    "Handler",
    "MemoryBroker",
    "Subscription",
    "subject_for",
    "subject_matches",
]
