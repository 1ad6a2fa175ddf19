"""The command bus (one handler per command, middleware) and the query bus (read-only)."""

from journey.cqrs.bus.command_bus import (
    CommandBus,
    CommandHandler,
    CommandResult,
    Dispatch,
    IdempotencyKeyReused,
    Middleware,
    NoHandler,
)
from journey.cqrs.bus.middleware import (
    IdempotencyMiddleware,
    LoggingMiddleware,
    RetryOnConflictMiddleware,
    TracingMiddleware,
)
from journey.cqrs.bus.query_bus import QueryBus, QueryHandler, ReadModels

__all__ = [
    "CommandBus",
    "CommandHandler",
    "CommandResult",
    "Dispatch",
    "IdempotencyKeyReused",
    "IdempotencyMiddleware",
    "LoggingMiddleware",
    "Middleware",
    "NoHandler",
    "QueryBus",
    "QueryHandler",
    "ReadModels",
    "RetryOnConflictMiddleware",
    "TracingMiddleware",
]
