"""Describing failures in logs without leaking personal data.

Exception messages may quote input values (a validation error repeats the national id it
refused), so logs carry the exception's type and where it was raised, never its message.
Domain errors are ours and their messages are written to be safe.
"""

from __future__ import annotations

import traceback

from journey.cqrs.errors import DomainError


def describe_failure(error: BaseException) -> dict[str, str]:
    summary = {"error_type": type(error).__name__}
    if isinstance(error, DomainError):
        summary["error"] = str(error)
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        summary["raised_at"] = f"{last.filename}:{last.lineno} in {last.name}"
    return summary
