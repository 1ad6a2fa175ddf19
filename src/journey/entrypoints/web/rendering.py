"""Rendering the pages' templates (Jinja2, autoescaped) into responses with safe headers."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

import journey
from journey.entrypoints.web.static_files import asset_url

# Scripts come only from our own origin and nothing runs inline: an injected string can never
# become code. `blob:` lets a page show a PDF it fetched with the user's token.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "frame-src blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    """The templates' environment: loaded from the installed package, HTML autoescaped, and
    strict about undefined names so a typo fails a test instead of rendering blank."""
    env = Environment(
        loader=PackageLoader("journey.entrypoints.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = asset_url
    env.globals["version"] = journey.__version__
    return env


def render_page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page: the template rendered with `context`, with the pages' security headers."""
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
