"""The HTTP API (FastAPI). At this stage: health, readiness and metrics; later issues add routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

import journey
from journey.bootstrap import bootstrap
from journey.cqrs.runtime import Kernel
from journey.observability.metrics import KernelMetrics
from journey.runtime_tuning import freeze_startup_objects
from journey.settings import Settings

PROBLEM_JSON = "application/problem+json"


def create_app(settings: Settings | None = None, *, kernel: Kernel | None = None) -> FastAPI:
    """The app; it builds (or takes) the kernel on start-up and runs its background work."""
    settings = settings or Settings()
    metrics = KernelMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = kernel is None
        running = kernel or await bootstrap(settings)
        running.commands.use(metrics.middleware)
        app.state.kernel = running
        await running.start()
        freeze_startup_objects()
        try:
            yield
        finally:
            if own:
                await running.close()
            else:
                await running.stop()

    app = FastAPI(
        title="Customer Journey",
        version=journey.__version__,
        description="CQRS + event-sourced onboarding journey: commands, queries and operations.",
        lifespan=lifespan,
    )

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process is up and serving."""
        return {"status": "ok", "version": journey.__version__}

    @app.get("/ready", tags=["operations"], response_model=None)
    async def ready(request: Request) -> dict[str, Any] | JSONResponse:
        """Readiness: the event store answers and the background work runs."""
        running: Kernel = request.app.state.kernel
        try:
            position = await running.storage.last_position()
        except Exception as error:
            return problem(
                503, "Not ready", f"the event store does not answer ({type(error).__name__})"
            )
        return {"status": "ready", "log_position": position}

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def prometheus(request: Request) -> Response:
        """Prometheus metrics (names prefixed `journey_`)."""
        body = await metrics.render(request.app.state.kernel)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return app


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
