"""Errors of the HTTP API as RFC 9457 `application/problem+json`, never a traceback.

Every failure a client can meet is turned into a problem here: request validation (422, listing
the fields), domain refusals (`RuleViolation` 409, `NotFound` 404), a reused idempotency key
(409), outside systems down (503), unknown routes and methods (404/405), and anything
unexpected (500, logged by type and place only). Details never quote the request: it may hold
personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from journey.catalog import UnknownProduct
from journey.cqrs.bus.command_bus import IdempotencyKeyReused
from journey.cqrs.errors import NotFound, RuleViolation
from journey.cqrs.logsafe import describe_failure
from journey.query_side.resilience import ProviderUnavailable

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:journey:problem:"

_log = structlog.get_logger("journey.api")


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None  # validation problems: the fields at fault


def _documented(description: str) -> dict[str, Any]:
    # `model` puts `Problem` in the contract's components (under the route's own media type);
    # the body's real media type points to it too, so clients and fuzzers can check problems.
    problem_schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: problem_schema}}


# What the contract documents for every protected endpoint (the problem bodies are the same).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("no token, or one that cannot be trusted"),
    403: _documented("the token's roles may not do this"),
    404: _documented("no such resource, or not the caller's"),
    422: _documented("the request is not valid: `errors` lists the fields"),
}


class ApiProblem(Exception):
    """Raised by endpoints and dependencies to answer with a problem (auth, access, state)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = dict(headers or {})
        self.extra = extra

    def response(self) -> JSONResponse:
        return problem(
            self.status, self.title, self.detail, kind=self.kind, headers=self.headers, **self.extra
        )


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An RFC 9457 problem+json response; `kind` names our problem type (`urn:journey:problem:`)."""
    body = {
        "type": f"{PROBLEM_BASE}{kind}" if kind else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def not_found(what: str) -> ApiProblem:
    """The one answer for "does not exist" and "not yours": the two must look the same."""
    return ApiProblem(404, "Not found", f"no {what}", kind="not-found")


def validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic's errors as `{field, in, message, type}`, without the input values they carry."""
    listed = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        where = location[0] if location and location[0] in _LOCATIONS else "body"
        path = location[1:] if location and location[0] in _LOCATIONS else location
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "value_error" and ("'" in message or '"' in message):
            # A validator's message may quote a fragment of the value (email addresses do).
            message = "the value is not valid"
        listed.append(
            {
                "field": ".".join(path) or where,
                "in": where,
                "message": message,
                "type": str(error.get("type", "invalid")),
            }
        )
    return listed


_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every known failure as a problem (the middleware catches the unknown ones)."""

    async def api_problem(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiProblem)
        return error.response()

    async def invalid_request(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        fields = validation_errors(error.errors())
        names = ", ".join(sorted({entry["field"] for entry in fields}))
        return problem(
            422,
            "Invalid request",
            f"{len(fields)} field(s) are not valid: {names}",
            kind="validation",
            errors=fields,
        )

    async def http_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        detail = error.detail if isinstance(error.detail, str) else "the request was refused"
        return problem(error.status_code, _title(error.status_code), detail, headers=error.headers)

    async def rule_violation(_: Request, error: Exception) -> JSONResponse:
        # Domain messages are ours and written to be safe to show (see cqrs.logsafe).
        return problem(409, "Refused by a business rule", str(error), kind="rule-violation")

    async def domain_not_found(_: Request, error: Exception) -> JSONResponse:
        return problem(404, "Not found", str(error), kind="not-found")

    async def key_reused(_: Request, error: Exception) -> JSONResponse:
        return problem(
            409,
            "Idempotency key reused",
            "this Idempotency-Key was already used with a different request",
            kind="idempotency-key-reused",
        )

    async def unknown_product(_: Request, error: Exception) -> JSONResponse:
        return problem(422, "Unknown product", str(error), kind="unknown-product")

    async def provider_down(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ProviderUnavailable)
        return problem(
            503,
            "An outside system is unavailable",
            "an outside system did not answer; try again later",
            kind="provider-unavailable",
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(ApiProblem, api_problem)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RuleViolation, rule_violation)
    app.add_exception_handler(NotFound, domain_not_found)
    app.add_exception_handler(IdempotencyKeyReused, key_reused)
    app.add_exception_handler(UnknownProduct, unknown_product)
    app.add_exception_handler(ProviderUnavailable, provider_down)


async def log_unexpected(error: BaseException) -> None:
    """Log an unexpected failure by type and place only (its message may quote the request)."""
    _log.error("request failed", **describe_failure(error))


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
