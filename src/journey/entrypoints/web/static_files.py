"""The pages' own CSS and scripts, served from the installed package.

Only files that exist under `static/` with a known type are served (never a path outside it),
revalidated by their content hash (ETag): the templates link them with that hash (`?v=`), and
the modules they import are checked again on each load, so a new release is never half-cached.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import HTTPException
from fastapi.responses import Response

STATIC_PREFIX = "/static/web"
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True, slots=True)
class StaticFile:
    """One static file's bytes, type and fingerprint."""

    data: bytes
    content_type: str
    digest: str


def _root() -> Traversable:
    return resources.files("journey.entrypoints.web").joinpath("static")


@cache
def static_file(path: str) -> StaticFile | None:
    """The file at `path` under static/, or None when there is none (or the path escapes)."""
    parts = path.split("/")
    if not parts or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    suffix = "." + parts[-1].rsplit(".", 1)[-1] if "." in parts[-1] else ""
    content_type = _TYPES.get(suffix)
    if content_type is None:
        return None
    node = _root()
    for part in parts:
        node = node.joinpath(part)
    if not node.is_file():
        return None
    data = node.read_bytes()
    return StaticFile(data, content_type, hashlib.sha256(data).hexdigest()[:12])


def asset_url(path: str) -> str:
    """The URL of a static file, fingerprinted so a changed file is fetched again."""
    found = static_file(path)
    if found is None:
        raise LookupError(f"no static file {path!r}")
    return f"{STATIC_PREFIX}/{path}?v={found.digest}"


def serve_static(path: str, if_none_match: str | None = None) -> Response:
    """The response for `GET /static/web/{path}`: the file, 304 when the browser has it, or 404."""
    found = static_file(path)
    if found is None:
        raise HTTPException(status_code=404, detail="no such file")
    headers = {
        "Cache-Control": "no-cache",
        "ETag": f'"{found.digest}"',
        "X-Content-Type-Options": "nosniff",
    }
    if if_none_match is not None and f'"{found.digest}"' in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.content_type, headers=headers)
