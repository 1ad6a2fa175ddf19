"""The HTTP API (FastAPI): health, readiness, metrics and the carrier's webhooks; it runs the
whole platform (every service of the journey) in the background."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

import journey
from journey.command_side.logistics import CarrierSettings, CarrierWebhooks, carrier_webhook_router
from journey.cqrs.runtime import Kernel
from journey.observability.metrics import KernelMetrics
from journey.platform import build_platform
from journey.runtime_tuning import freeze_startup_objects
from journey.settings import Settings

PROBLEM_JSON = "application/problem+json"
_log = structlog.get_logger("journey.api")


def create_app(settings: Settings | None = None, *, kernel: Kernel | None = None) -> FastAPI:
    """The app. On start-up it builds the whole platform from settings (or takes a `kernel`
    built elsewhere, e.g. by a test) and runs its background work until shutdown."""
    settings = settings or Settings()
    carrier = CarrierSettings()
    metrics = KernelMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = None if kernel is not None else await build_platform(settings)
        running = platform.kernel if platform is not None else kernel
        assert running is not None
        running.commands.use(metrics.middleware)
        app.state.kernel = running
        app.state.platform = platform
        if carrier.carrier != "simulated":
            app.state.carrier_webhooks = CarrierWebhooks(
                running.commands,
                carrier.secret_bytes(),
                clock=running.clock,
                tolerance=carrier.webhook_tolerance,
            )
        await running.start()
        if platform is not None and platform.sink is not None:
            _log.info("SMTP sink receiving the journey's email", port=platform.sink.port)
        freeze_startup_objects()
        try:
            yield
        finally:
            if platform is not None:
                await platform.close()
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

    if carrier.carrier != "simulated":  # the simulated carrier's updates arrive in-process
        app.include_router(carrier_webhook_router())
    return app


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
