"""The pages' routes: one GET per row of `PAGES`, and the static files."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from journey.entrypoints.web.pages import PAGES, Page, navigation
from journey.entrypoints.web.rendering import render_page
from journey.entrypoints.web.static_files import STATIC_PREFIX, serve_static

# Ids in paths are the system's own (application, card): letters, digits and a few separators.
# Anything else is not a page of ours; refusing it early keeps odd strings out of the pages.
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def web_router() -> APIRouter:
    """The console, the customer pages and their static files, as one router to include."""
    router = APIRouter(include_in_schema=False)
    for page in PAGES:
        router.add_api_route(page.path, _page_handler(page), methods=["GET"])

    @router.get(STATIC_PREFIX + "/{path:path}")
    async def static(path: str, request: Request) -> Response:
        return serve_static(path, request.headers.get("if-none-match"))

    return router


def _page_handler(page: Page) -> Callable[[Request], Awaitable[HTMLResponse]]:
    async def handler(request: Request) -> HTMLResponse:
        params = {key: str(value) for key, value in request.path_params.items()}
        for value in params.values():
            if not _ID.fullmatch(value):
                raise HTTPException(status_code=404, detail="no such page")
        return render_page(
            page.template,
            page=page,
            params=params,
            nav=navigation(page.area),
            current=request.url.path,
        )

    handler.__name__ = f"page_{page.template.replace('/', '_').removesuffix('.html')}"
    return handler
