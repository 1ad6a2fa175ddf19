"""The local SMTP sink's mailbox (what `journey serve` received on port 8025): the journey's
email as the customer would get it, welcome PDF included. Operators only: it is personal data."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from journey.command_side.notifications.sink import Mailbox, ReceivedMail
from journey.entrypoints.api.auth import Principal, allow
from journey.entrypoints.api.deps import platform_of
from journey.entrypoints.api.errors import PROBLEM_RESPONSES, ApiProblem, not_found

router = APIRouter(tags=["mailbox"], responses=PROBLEM_RESPONSES)
Operator = Annotated[Principal, Depends(allow("operator"))]


def _mailbox(request: Request) -> Mailbox:
    platform = platform_of(request)
    if platform is None or platform.sink is None:
        raise ApiProblem(
            404,
            "No mailbox",
            "no local SMTP sink runs here (email goes to a real server)",
            kind="no-mailbox",
        )
    return platform.sink.mailbox


def _summary(mail: ReceivedMail) -> dict[str, Any]:
    return {
        "message_id": mail.message_id,
        "subject": mail.subject,
        "to": mail.to,
        "date": None if mail.date is None else mail.date.isoformat(),
        "received_at": mail.received_at.isoformat(),
        "milestone": mail.header("X-Journey-Milestone"),
        "application_id": mail.header("X-Journey-Application"),
        "size": mail.size,
        "attachments": [
            {
                "n": number,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
            }
            for number, attachment in enumerate(mail.attachments)
        ],
    }


def _find(mailbox: Mailbox, message_id: str) -> ReceivedMail:
    # Accept the Message-ID with or without its angle brackets.
    wanted = message_id.strip()
    mail = mailbox.get(wanted) or mailbox.get(f"<{wanted.strip('<>')}>")
    if mail is None:
        raise not_found("message")
    return mail


@router.get("/mailbox")
async def list_mail(
    request: Request,
    principal: Operator,
    application_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Messages newest first (`?application_id=` for one journey's)."""
    mails = _mailbox(request).messages()
    if application_id is not None:
        mails = [mail for mail in mails if mail.header("X-Journey-Application") == application_id]
    return {
        "messages": [_summary(mail) for mail in mails[offset : offset + limit]],
        "total": len(mails),
    }


@router.get("/mailbox/{message_id}")
async def get_mail(message_id: str, request: Request, principal: Operator) -> dict[str, Any]:
    """One message with its text and HTML bodies."""
    mail = _find(_mailbox(request), message_id)
    return {**_summary(mail), "text": mail.text, "html": mail.html}


@router.get(
    "/mailbox/{message_id}/attachments/{n}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/octet-stream": {}}}},
)
async def get_attachment(
    message_id: str, n: int, request: Request, principal: Operator
) -> Response:
    """The n-th attachment's bytes (0-based), with its content type (the welcome PDF)."""
    mail = _find(_mailbox(request), message_id)
    if not 0 <= n < len(mail.attachments):
        raise not_found("attachment")
    attachment = mail.attachments[n]
    # Only safe characters in the header (a name with quotes or line breaks could forge one).
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", attachment.filename or f"attachment-{n}")
    return Response(
        attachment.data,
        media_type=attachment.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
