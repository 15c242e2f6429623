"""Bearer API keys: who is calling (an agency system), or 401 with `WWW-Authenticate: Bearer`.

A request's key is looked up in the request's own transaction, in the worker thread that does
its work (`identify`): on PostgreSQL one statement more in it, not a connection and a round trip
of its own on the event loop; on SQLite in a read of its own that takes no write lock. A body
that fails its checks is answered only once the key is known to be live (`KeyBeforeBody`): a
caller without one learns nothing of what the body should be.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import Depends, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from agencies.deps import now
from flows.answers.access import AssignmentView
from flows.answers.agency_view import key_with_assignment
from models.api_key import KeyHolder, find_key_holder, note_use, presented
from models.audit_log import record_event

MISSING = "send an API key: Authorization: Bearer <key>"
INVALID = "this API key is not valid"
REVOKED = "this API key has been revoked"
INACTIVE = "this API key's agency no longer takes part"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AgencyApiKey",
    description="An agency API key issued by the coordinator (`jointaudit apikey issue`).",
)


@dataclass(frozen=True)
class Caller:
    """The agency system behind a valid key."""

    key_id: int
    agency_id: int
    agency_code: str
    holder: KeyHolder
    named: tuple[int, AssignmentView | None] | None = None
    """The assignment the request names (its id, and its view or None when it is not the
    agency's), when it was read with the key."""

    @property
    def actor(self) -> str:
        """Who acted, for the audit log."""
        return f"api-key:{self.key_id}"

    def note_use(self, session: Session, at: datetime) -> None:
        """Record the key's use in the request's transaction (at most once a minute)."""
        note_use(session=session, holder=self.holder, now=at)


def unauthorized(detail: str) -> HTTPException:
    """A 401 that tells the client to send a bearer key."""
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def request_time(request: Request) -> datetime:
    """The request's one moment (tests set the clock on the app), without a thread hop."""
    return now(request)


def reader(engine: Engine) -> Engine:
    """The engine's pool for reads that wait for no writer: SQLite's deferred BEGIN,
    PostgreSQL's autocommit (made once per app: options set per connection cost a read's worth)."""
    postgres = engine.dialect.name == "postgresql"
    options: dict[str, Any] = (
        {"isolation_level": "AUTOCOMMIT"} if postgres else {"sqlite_begin": "DEFERRED"}
    )
    return engine.execution_options(**options)


def record_refusal(*, session: Session, key_id: int, reason: str, now: datetime) -> None:
    """Audit a refused use of an API key, committed before the refusal is answered."""
    record_event(
        session=session,
        actor=f"api-key:{key_id}",
        action="api_key.refused",
        entity_type="api_key",
        entity_id=key_id,
        now=now,
        details={"reason": reason},
    )
    session.commit()


def _refused(session: Session, holder: KeyHolder, at: datetime) -> HTTPException:
    record_refusal(session=session, key_id=holder.key_id, reason="revoked", now=at)
    return unauthorized(REVOKED)


def look_up(engine: Engine, secret: str) -> KeyHolder | None:
    """The key and its agency, in one indexed read; `engine` is a `reader`."""
    with engine.connect() as connection:
        return find_key_holder(connection=connection, secret=secret)


def _caller(holder: KeyHolder | None) -> Caller:
    if holder is None:
        raise unauthorized(INVALID)
    if holder.agency_id is None:  # a coordinator's key: agency endpoints do not exist for it
        raise HTTPException(status_code=404, detail="not found")
    if holder.agency_code is None or not holder.agency_active:
        raise unauthorized(INACTIVE)
    return Caller(
        key_id=holder.key_id,
        agency_id=holder.agency_id,
        agency_code=holder.agency_code,
        holder=holder,
    )


@dataclass(frozen=True)
class PresentedKey:
    """The bearer key a request presents, looked up with the request's work (`identify`)."""

    secret: str


async def presented_key(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> PresentedKey:
    """The request's bearer key, else 401 (on the event loop: no database, no thread hop)."""
    if credentials is None:
        raise unauthorized(MISSING)
    return PresentedKey(credentials.credentials)


def key_reader(request: Request) -> Engine:
    """The app's `reader` of its engine (made with the app)."""
    keys: Engine = request.app.state.key_reader
    return keys


def identify(
    *,
    session: Session,
    keys: Engine,
    key: PresentedKey,
    at: datetime,
    assignment_id: int | None = None,
) -> Caller:
    """The agency system behind the key, in the request's transaction on PostgreSQL (with the
    assignment the request names, in the same statement); 401 or 404 otherwise (a revoked key's
    refusal audited first)."""
    named: tuple[int, AssignmentView | None] | None = None
    if keys.dialect.name != "postgresql":  # SQLite's transaction would take the write lock:
        holder = look_up(keys, key.secret)  # a key not yet known takes none
    elif assignment_id is None:
        holder = find_key_holder(connection=session.connection(), secret=key.secret)
    else:
        shown = presented(key.secret)
        holder, view = (
            (None, None)  # no key of ours: nothing to read
            if shown is None
            else key_with_assignment(session=session, key=shown, assignment_id=assignment_id)
        )
        named = (assignment_id, view)
    if holder is not None and holder.revoked_at is not None:
        session.rollback()
        raise _refused(session, holder, at)
    return replace(_caller(holder), named=named)


def _identified(request: Request, key: PresentedKey, at: datetime) -> None:
    """`identify` in a session of its own: 401 or 404 unless the key is live."""
    with Session(request.app.state.engine) as session:
        identify(session=session, keys=key_reader(request), key=key, at=at)


class KeyBeforeBody(APIRoute):
    """A route whose request, should its body or path fail their checks, is refused for its key
    first when that is not live (FastAPI checks them before the endpoint looks the key up)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, with the key checked on the way out of a 422."""
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError:
                key = await presented_key(await bearer(request))
                await run_in_threadpool(_identified, request, key, now(request))  # 401 or 404
                raise

        return handler
