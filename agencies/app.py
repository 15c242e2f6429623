"""The one web app: the portal's pages with the agency API mounted at /api/v1."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agencies.api.app import PREFIX as API_PREFIX
from agencies.api.app import create_api
from agencies.portal.app import create_portal
from agencies.portal.security import content_security_policy, security_headers
from models.settings import Settings
from models.types import utcnow


class ApiFirst:
    """Hand API requests to the mounted API before the portal's session middleware and routes:
    the API keeps no session, so it gets the headers every response carries and nothing else
    (the portal's middleware and its router cost a request as much as the API's own work)."""

    def __init__(self, app: ASGIApp, *, mount: Mount) -> None:
        self.app = app
        self.mount = mount

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match, child_scope = self.mount.matches(scope)
            if match is Match.FULL:
                scope.update(child_scope)  # as the portal's router would
                await self.mount.handle(scope, receive, _with_headers(send))
                return
        await self.app(scope, receive, send)


def _constant_headers() -> list[tuple[bytes, bytes]]:
    headers = {**security_headers(""), "Cache-Control": "no-store"}
    headers.pop("Content-Security-Policy")
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


_API_HEADERS = _constant_headers()
_API_HEADER_NAMES = frozenset([name for name, _ in _API_HEADERS] + [b"content-security-policy"])


def _with_headers(send: Send) -> Send:
    """The response with the headers every response carries, once each (the constant ones
    encoded once: every API request pays for this)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            policy = content_security_policy(secrets.token_urlsafe(16)).encode()
            kept = [h for h in message.get("headers", ()) if h[0].lower() not in _API_HEADER_NAMES]
            message["headers"] = [*kept, *_API_HEADERS, (b"content-security-policy", policy)]
        await send(message)

    return sending


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
    mount = app.router.routes[-1]
    assert isinstance(mount, Mount)
    app.add_middleware(ApiFirst, mount=mount)
    return app
