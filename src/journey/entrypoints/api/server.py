"""Serving the app with uvicorn so that open event streams end when the server shuts down.

Uvicorn waits for every open response before it runs the app's shutdown, and an event stream
never finishes by itself: without help, a console left open would hold `journey serve` up
forever. `DrainingServer` sets `app.state.draining` first; the streams see it and end cleanly.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

GRACE_SECONDS = 10.0  # then uvicorn cancels whatever still runs


class DrainingServer(uvicorn.Server):
    """A uvicorn server that tells the app it is draining before it waits for connections."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        draining: asyncio.Event | None = getattr(self._app.state, "draining", None)
        if draining is not None:
            draining.set()
        await super().shutdown(sockets)


def server_for(
    app: FastAPI, *, host: str, port: int, log_level: str, **options: Any
) -> DrainingServer:
    """The server `journey serve` (and the HTTP benchmark) runs."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,  # our middleware logs each request, without paths or personal data
        timeout_graceful_shutdown=int(GRACE_SECONDS),
        **options,
    )
    return DrainingServer(config, app)


def serve(app: FastAPI, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve until interrupted (SIGINT/SIGTERM), then drain and shut down."""
    server_for(app, host=host, port=port, log_level=log_level).run()


def serving_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop `journey serve` runs the app on (uvicorn's `auto`: uvloop where installed,
    else asyncio's): benchmarks of what the server does in process run on the same one."""
    # A configuration of `journey serve`'s loop only: the app named is never imported, and
    # without `log_config` uvicorn leaves the process's logging as it is.
    config = uvicorn.Config("journey.entrypoints.api.app:create_app", loop="auto", log_config=None)
    factory = config.get_loop_factory()
    return factory or asyncio.new_event_loop
