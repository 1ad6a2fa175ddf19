"""The HTTP API (FastAPI): the journey's commands and queries (docs/api.md), bearer-token auth,
health, readiness, metrics and the carrier's webhooks; it runs the whole platform (every service
of the journey) in the background."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

import journey
from journey.command_side.logistics import CarrierSettings, CarrierWebhooks, carrier_webhook_router
from journey.cqrs.runtime import Kernel
from journey.entrypoints.api import (
    applications,
    cards,
    customers,
    events,
    logistics,
    mailbox,
    operations,
    probes,
    products,
)
from journey.entrypoints.api.auth import Tokens, dev_login_router
from journey.entrypoints.api.errors import PROBLEM_JSON, install_problem_handlers, problem
from journey.entrypoints.api.middleware import RequestContext
from journey.entrypoints.api.telemetry import ApiMetrics
from journey.entrypoints.web import web_router
from journey.platform import Platform, build_platform
from journey.runtime_tuning import freeze_startup_objects
from journey.settings import AuthSettings, Settings

__all__ = ["PROBLEM_JSON", "create_app", "problem"]

_log = structlog.get_logger("journey.api")


def create_app(
    settings: Settings | None = None,
    *,
    kernel: Kernel | None = None,
    platform: Platform | None = None,
    auth: AuthSettings | None = None,
) -> FastAPI:
    """The app. On start-up it builds the whole platform from settings, or runs a `platform`
    (or a bare `kernel`) built elsewhere, e.g. by a test, which then stays its owner's to
    close; its background work runs until shutdown."""
    settings = settings or Settings()
    auth = auth or AuthSettings()
    carrier = CarrierSettings()
    metrics = ApiMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.draining = asyncio.Event()
        owned = None
        if platform is None and kernel is None:
            owned = await build_platform(settings)
        running_platform = owned or platform
        running = running_platform.kernel if running_platform is not None else kernel
        assert running is not None
        running.commands.use(metrics.middleware)
        app.state.kernel = running
        app.state.platform = running_platform
        if carrier.carrier != "simulated":
            app.state.carrier_webhooks = CarrierWebhooks(
                running.commands,
                carrier.secret_bytes(),
                clock=running.clock,
                tolerance=carrier.webhook_tolerance,
            )
        await running.start()
        await metrics.start(running, running_platform)
        if running_platform is not None and running_platform.sink is not None:
            _log.info("SMTP sink receiving the journey's email", port=running_platform.sink.port)
        _warn_about_development_auth(auth)
        freeze_startup_objects()
        try:
            yield
        finally:
            app.state.draining.set()  # event streams end
            if owned is not None:
                await owned.close()
            else:
                await running.stop()

    app = FastAPI(
        title="Customer Journey",
        version=journey.__version__,
        description=(
            "CQRS + event-sourced onboarding journey: commands (202 with the log position), "
            "queries (read-your-writes with `?wait_for=`), server-sent events, operations. "
            "Bearer JWTs with roles customer, operator, analyst, service. See docs/api.md."
        ),
        lifespan=lifespan,
    )
    app.state.tokens = Tokens(auth)
    app.state.metrics = metrics
    app.state.draining = asyncio.Event()
    install_problem_handlers(app)
    app.add_middleware(RequestContext, metrics=metrics)

    _include_routers(app, webhooks=carrier.carrier != "simulated")
    return app


def _include_routers(app: FastAPI, *, webhooks: bool) -> None:
    for router in (
        probes.router,
        dev_login_router(),
        products.router,
        applications.router,
        events.router,
        cards.router,
        logistics.router,
        customers.router,
        operations.router,
        mailbox.router,
    ):
        app.include_router(router)
    app.include_router(web_router())  # the console and the customer pages
    if webhooks:  # the simulated carrier's updates arrive in-process
        app.include_router(carrier_webhook_router())


def _warn_about_development_auth(auth: AuthSettings) -> None:
    if auth.uses_development_key:
        _log.warning(
            "the built-in DEVELOPMENT signing key is in use: anyone can mint tokens; "
            "set JOURNEY_AUTH_SIGNING_KEY (and keep JOURNEY_AUTH_DEV_LOGIN off) in production",
            dev_login=auth.dev_login_enabled,
        )
    elif auth.dev_login_enabled:
        _log.warning("development login is on: POST /auth/dev-token hands out any role")
