"""The agency portal: a server-rendered FastAPI app that works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from agencies.body_limit import BodyLimit
from agencies.deps import SignInRequired, ids_in_range
from agencies.portal.oidc.registry import provider_clients
from agencies.portal.pages import STATIC_DIR, environment, govuk_assets, render
from agencies.portal.routes import (
    actions,
    cases,
    concern_page,
    concerns,
    coordinator,
    coordinator_changes,
    coordinator_lists,
    findings,
    launch,
    moderation,
    partnership,
    partnership_agencies,
    plan,
    programme,
    reaudit,
    register,
    reports,
    sign_in,
    sign_in_oidc,
    tasks,
    tool_editor,
    tools,
)
from agencies.portal.security import check_csrf, session_and_headers
from models.db import get_engine
from models.settings import Settings
from models.types import utcnow

DEFAULT_LIMITS = {"sign_in_per_ip": 10, "link_per_ip": 10, "link_per_address": 3}
ERROR_TITLES = {
    403: "Sorry, there is a problem with the form",
    404: "Page not found",
    405: "Page not found",
    413: "The form you sent is too large",
}


def _without_slash(request: Request, settings: Settings) -> str | None:
    """`/tasks/` -> the configured base URL's `/tasks` (never the request's Host header)."""
    path = request.url.path
    if request.method not in ("GET", "HEAD") or path == "/" or not path.endswith("/"):
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    return settings.portal_base_url.rstrip("/") + path.rstrip("/") + query


def create_portal(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
    limits: dict[str, int] | None = None,
) -> FastAPI:
    """The portal's pages for these settings (the configured database unless an engine is given)."""
    app = FastAPI(
        title="jointaudit portal",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,  # Starlette's builds the address from the Host header
        dependencies=[Depends(ids_in_range), Depends(check_csrf)],
    )
    app.state.settings = settings
    app.state.engine = engine or get_engine(settings.resolved_database_url)
    app.state.clock = clock
    app.state.limits = {**DEFAULT_LIMITS, **(limits or {})}
    app.state.secret_key = settings.secret_key.get_secret_value()
    app.state.https = settings.portal_base_url.startswith("https://")
    app.state.oidc = provider_clients(settings)
    app.state.templates = environment(settings.timezone)
    app.state.assets = govuk_assets()
    app.middleware("http")(session_and_headers)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        larger={"/coordinator/register": settings.register_upload_bytes},
    )
    STATIC_DIR.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # GOV.UK Frontend's stylesheet asks for its fonts and images under /assets.
    app.mount(
        "/assets",
        StaticFiles(directory=STATIC_DIR / "govuk" / "assets", check_dir=False),
        name="govuk-assets",
    )
    for module in (
        tasks,
        sign_in,
        sign_in_oidc,
        cases,
        concerns,
        concern_page,
        plan,
        actions,
        reports,
        launch,  # before coordinator: /rounds/new is not a round number
        reaudit,
        programme,
        register,
        partnership,
        partnership_agencies,
        coordinator,
        coordinator_lists,
        coordinator_changes,
        findings,
        tools,
        tool_editor,
        moderation,
    ):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _sign_in_first(_request: Request, _error: SignInRequired) -> Response:
        return RedirectResponse("/", status_code=303)

    @app.exception_handler(HTTPException)
    async def _error_page(request: Request, error: HTTPException) -> Response:
        slash = _without_slash(request, settings) if error.status_code == 404 else None
        if slash is not None:
            return RedirectResponse(slash, status_code=307)
        title = ERROR_TITLES.get(error.status_code, "Sorry, there is a problem with the service")
        return render(
            request,
            "views/error.html",
            status_code=error.status_code,
            title=title,
            csrf_failed=error.detail == "csrf",
        )

    return app
