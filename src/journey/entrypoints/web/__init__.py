"""The pages people look at: the operator console (`/console/...`) and the customer pages
(`/my/...`), served by the same app as the JSON API they call from the browser.

`web_router()` is the one thing the app includes. Pages are server-rendered shells (Jinja2);
their figures come from the API with the user's bearer token, so no page ever holds data the
signed-in user could not ask the API for.
"""

from __future__ import annotations

from journey.entrypoints.web.router import web_router

__all__ = ["web_router"]
