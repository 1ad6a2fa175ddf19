"""How a call to an outside system can go wrong, as the query side sees it."""

from __future__ import annotations


class ProviderError(Exception):
    """The provider failed in a way worth retrying (timeout, 5xx, connection refused)."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class ProviderRejected(Exception):
    """The provider refused the request itself (4xx): retrying the same request cannot help."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service} refused the request: {reason}")
        self.service = service
        self.reason = reason


class ProviderUnavailable(Exception):
    """No answer could be had (retries spent, or the circuit is open). Callers must degrade
    safely: hold or refer, never treat it as a pass."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service} is unavailable: {reason}")
        self.service = service
        self.reason = reason
