"""Errors a domain raises when a command cannot be carried out. Retrying will not help."""

from __future__ import annotations


class DomainError(Exception):
    """The command was understood but the rules say no (maps to HTTP 409/422, never retried)."""


class RuleViolation(DomainError):
    """A business rule refused the command."""


class NotFound(DomainError):
    """The thing the command or query names does not exist."""
