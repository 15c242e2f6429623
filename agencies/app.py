"""The one web app: the portal's pages with the agency API mounted at /api/v1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from agencies.api.app import PREFIX as API_PREFIX
from agencies.api.app import create_api
from agencies.portal.app import create_portal
from models.settings import Settings
from models.types import utcnow


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
    limits: dict[str, int] | None = None,
) -> FastAPI:
    """The portal and the API on one database and one clock (the configured database by default)."""
    app = create_portal(settings, engine=engine, clock=clock, limits=limits)
    app.mount(API_PREFIX, create_api(settings, engine=app.state.engine, clock=clock))
    return app
