"""Rendering portal pages: the template environment, and what every page is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from agencies.portal.security import CSRF_FIELD, csrf_token
from agencies.portal.tool_preview import template_environment
from models.calendar import long_day, long_moment

STATIC_DIR = Path(__file__).parent / "static"
GOVUK_DIR = STATIC_DIR / "govuk"

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "not_known": "Not known to this agency",
}


def environment(timezone: str = "Europe/London") -> Environment:
    """The portal's Jinja environment (autoescaped, StrictUndefined); `moment` shows a time
    and `day` a date (or a time's day), in the partnership's time zone."""
    env = template_environment()
    env.globals["status_labels"] = STATUS_LABELS
    env.globals["csrf_field"] = CSRF_FIELD
    env.filters["moment"] = lambda value: long_moment(value, timezone)
    env.filters["day"] = lambda value: long_day(value, timezone)
    return env


def govuk_assets() -> dict[str, str | None]:
    """URLs of the fetched govuk-frontend stylesheet and script, when present."""
    css = sorted(GOVUK_DIR.glob("govuk-frontend*.min.css"))
    js = sorted(GOVUK_DIR.glob("govuk-frontend*.min.js"))
    return {
        "stylesheet": f"/static/govuk/{css[0].name}" if css else None,
        "script": f"/static/govuk/{js[0].name}" if js else None,
    }


def render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a view with the nonce, the CSRF token, the assets and who is signed in (with the
    coordinator's navigation when a coordinator is: the session check found it out)."""
    env: Environment = request.app.state.templates
    session = request.state.session
    html = env.get_template(name).render(
        nonce=request.state.nonce,
        csrf=csrf_token(session, secret_key=request.app.state.secret_key),
        signed_in=session.person_id is not None,
        coordinator_nav=getattr(request.state, "coordinator", False),
        assets=request.app.state.assets,
        sign_in_providers=list(getattr(request.app.state, "oidc", {}).values()),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
