"""Sessions in a signed cookie, CSRF tokens, security headers and database-held rate limits.

The session cookie (itsdangerous-signed) holds the person's id, when they signed in, the key
of their session row (models/sessions.py) and a CSRF secret; anonymous visitors get one too,
so the sign-in forms carry a CSRF token as well. Every request of a signed-in person checks
the row (live, and the person still has a place in the partnership) in one query, so signing
out or losing access ends the session on every portal process at once. Signing in replaces
the cookie (and its CSRF secret). The agency API (`/api/`) is a mounted app of its own:
bearer keys, no cookie, no CSRF (no ambient credential).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from models.db import session_scope
from models.partnership import is_coordinator
from models.sessions import SESSION_LIFETIME, session_person
from notifications.rate_limit import acquire_permits

COOKIE = "jointaudit_session"
SESSION_MAX_AGE: timedelta = SESSION_LIFETIME
CSRF_FIELD = "csrf_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_PREFIX = "/api/"
STATIC_PREFIXES = ("/static/", "/assets/")
SIGN_IN_PREFIX = "/sign-in/"
SIGN_IN_PAGES = ("request", "check-email", "again")


@dataclass(frozen=True)
class PortalSession:
    """What the session cookie says: who (if anyone) and the CSRF secret."""

    csrf_secret: str
    person_id: int | None = None
    signed_in_at: str | None = None
    key: str | None = None
    changed: bool = False


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="jointaudit-portal-session")


def new_session() -> PortalSession:
    """An anonymous session with a fresh CSRF secret."""
    return PortalSession(csrf_secret=secrets.token_urlsafe(32), changed=True)


def read_session(raw: str | None, *, secret_key: str) -> PortalSession:
    """The session in a cookie, or a new anonymous one if it is missing, forged or expired."""
    if not raw:
        return new_session()
    try:
        data = _serializer(secret_key).loads(raw, max_age=int(SESSION_MAX_AGE.total_seconds()))
    except BadSignature:
        return new_session()
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return new_session()
    person, key = data.get("p"), data.get("s")
    if not (isinstance(person, int) and isinstance(key, str)):
        return PortalSession(csrf_secret=data["c"])
    return PortalSession(
        csrf_secret=data["c"],
        person_id=person,
        signed_in_at=data.get("t") if isinstance(data.get("t"), str) else None,
        key=key,
    )


def signed_in(person_id: int, now: datetime, *, key: str) -> PortalSession:
    """A new session for a person who has just signed in (new CSRF secret: no fixation)."""
    return replace(new_session(), person_id=person_id, signed_in_at=now.isoformat(), key=key)


def write_session(
    response: Response, session: PortalSession, *, secret_key: str, secure: bool
) -> None:
    """Set the session cookie: HttpOnly, SameSite=Lax, Secure behind https, expiring."""
    value = _serializer(secret_key).dumps(
        {
            "c": session.csrf_secret,
            "p": session.person_id,
            "t": session.signed_in_at,
            "s": session.key,
        }
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(SESSION_MAX_AGE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def csrf_token(session: PortalSession, *, secret_key: str) -> str:
    """The token forms carry: an HMAC of the session's CSRF secret."""
    key = secret_key.encode("utf-8")
    return hmac.new(key, session.csrf_secret.encode("utf-8"), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose form lacks this session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = csrf_token(request.state.session, secret_key=request.app.state.secret_key)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="csrf")


def content_security_policy(nonce: str) -> str:
    """A CSP without unsafe-inline: only our files, and inline code carrying this nonce."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def security_headers(nonce: str) -> dict[str, str]:
    """The headers every response carries."""
    return {
        "Content-Security-Policy": content_security_policy(nonce),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


async def session_and_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: read the session, make a nonce, add the headers, write the cookie back.

    The agency API (under API_PREFIX) authenticates each request by its bearer key: it gets
    the headers but no session, so no cookie is read or set there.
    """
    secret_key: str = request.app.state.secret_key
    https: bool = request.app.state.https
    request.state.nonce = secrets.token_urlsafe(16)
    request.state.coordinator = False
    api = request.url.path.startswith(API_PREFIX)
    static = request.url.path.startswith(STATIC_PREFIXES)
    cookie = None if api else request.cookies.get(COOKIE)
    portal_session = read_session(cookie, secret_key=secret_key)
    if (
        portal_session.key is not None
        and not static
        and not await run_in_threadpool(_still_live, request, portal_session)
    ):
        portal_session = new_session()
    request.state.session = portal_session
    response = await call_next(request)
    response.headers.update(security_headers(request.state.nonce))
    if not static:
        response.headers["Cache-Control"] = "no-store"
    if api:
        return response
    session: PortalSession = request.state.session
    if session.changed:
        secure = request.url.scheme == "https" or https
        write_session(response, session, secret_key=secret_key, secure=secure)
    return response


def _still_live(request: Request, portal_session: PortalSession) -> bool:
    """Whether the cookie's session row is live and still the cookie's person's; on the way,
    whether that person is a coordinator now (every page's navigation shows it)."""
    assert portal_session.key is not None
    engine: Engine = request.app.state.engine
    clock: Callable[[], datetime] = request.app.state.clock
    with Session(engine) as session:
        found = session_person(session=session, raw_key=portal_session.key, now=clock())
        live = found is not None and found == portal_session.person_id
        if live and found is not None:
            request.state.coordinator = is_coordinator(session=session, person_id=found)
    return live


def loggable_path(path: str) -> str:
    """A request path fit for a log: a sign-in link's token replaced by a placeholder."""
    if path.startswith(SIGN_IN_PREFIX):
        rest = path[len(SIGN_IN_PREFIX) :]
        if rest.split("?", 1)[0] not in SIGN_IN_PAGES:
            return SIGN_IN_PREFIX + "[token]"
    return path


def limiter_name(kind: str, key: str) -> str:
    """A limiter's name: the kind and a hash of the key (never the address itself)."""
    return f"{kind}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:30]}"


def allow(*, engine: Engine, kind: str, key: str, per_minute: int, now: datetime) -> bool:
    """Whether one more attempt fits the rolling minute; shared by every portal process."""
    with session_scope(engine) as session:
        granted = acquire_permits(
            session=session,
            name=limiter_name(kind, key),
            wanted=1,
            limit_per_minute=per_minute,
            now=now,
        )
    return granted == 1
