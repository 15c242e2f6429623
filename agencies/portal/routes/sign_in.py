"""Signing in by an emailed link: the confirm page, the button that uses the token, new links."""

from __future__ import annotations

import logging
from datetime import datetime

import anyio
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from agencies.deps import Now, SessionDep, SignedIn
from agencies.portal.oidc.registry import clients
from agencies.portal.pages import render
from agencies.portal.security import PortalSession, allow, new_session
from agencies.portal.signing import person_for_address, start_signed_in, use_provider_page
from models.audit_log import record_event
from models.errors import SignInRefusedError
from models.partnership import Partnership, Person
from models.sessions import end_session, session_row
from models.settings import Settings
from notifications.contexts import SignInLinkContext
from notifications.dispatcher import send_now
from notifications.errors import SignInTokenError
from notifications.outbox import queue_message
from notifications.tokens import consume_sign_in_token, safe_landing

router = APIRouter()
ANSWER_HEAD_START_SECONDS = 0.25
MAX_LANDING = 200  # what a message's landing page may hold
logger = logging.getLogger(__name__)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _person_event(session: Session, person_id: int, action: str, at: datetime) -> None:
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action=action,
        entity_type="person",
        entity_id=person_id,
        now=at,
    )


def _limited(request: Request) -> HTMLResponse:
    return render(request, "views/too_many.html", status_code=429)


@router.get("/sign-in/check-email", response_class=HTMLResponse)
def check_email(
    request: Request,
) -> HTMLResponse:
    """What happens next, the same for known and unknown addresses."""
    return render(request, "views/check_email.html")


@router.post("/sign-in/request", response_model=None)
async def request_link(
    request: Request,
    background: BackgroundTasks,
    at: Now,
) -> Response:
    """Email a new link if the address belongs to someone; answer the same either way."""
    form = await request.form()
    email = str(form.get("email") or "").strip().lower()
    engine, limits = request.app.state.engine, request.app.state.limits
    if not allow(
        engine=engine,
        kind="link-ip",
        key=_client(request),
        per_minute=limits["link_per_ip"],
        now=at,
    ):
        return _limited(request)
    if "@" not in email or len(email) > 320:
        return render(
            request,
            "views/start.html",
            status_code=400,
            errors={"email": "Enter an email address in the correct format, like name@example.org"},
            email=email,
        )
    return _link_or_provider(request, background, email=email, at=at, landing=None)


@router.post("/sign-in/again", response_model=None)
async def request_link_again(
    request: Request, background: BackgroundTasks, session: SessionDep, who: SignedIn, at: Now
) -> Response:
    """Email a signed-in person a new link that resumes the step that asked for it."""
    email = who.email
    session.rollback()  # the rate limiter writes in a transaction of its own
    landing = safe_landing(str((await request.form()).get("landing") or ""))
    if landing is not None and len(landing) > MAX_LANDING:
        landing = None  # longer than any page of ours: the link opens the home page
    return _link_or_provider(request, background, email=email, at=at, landing=landing)


def _link_or_provider(
    request: Request,
    background: BackgroundTasks,
    *,
    email: str,
    at: datetime,
    landing: str | None,
) -> Response:
    """Send a required domain to its provider; else email a link (rate-limited per address)."""
    engine, limits = request.app.state.engine, request.app.state.limits
    settings: Settings = request.app.state.settings
    if settings.sso_required_for(email):
        return use_provider_page(request, email, landing=landing, status_code=400)
    if not allow(
        engine=engine, kind="link-to", key=email, per_minute=limits["link_per_address"], now=at
    ):
        return _limited(request)
    # Whether the address is known is decided after the answer has gone: the same answer,
    # in the same time, for everyone.
    background.add_task(
        _send_link_after_answering,
        engine=engine,
        settings=settings,
        email=email,
        at=at,
        landing=landing,
    )
    return RedirectResponse("/sign-in/check-email", status_code=303)


async def _send_link_after_answering(
    *, engine: Engine, settings: Settings, email: str, at: datetime, landing: str | None = None
) -> None:
    """Look the address up once the answer is on its way, off the event loop."""
    # A background task starts while the answer is still on its way out; its database and
    # mail work would slow that answer down, for known addresses only. A link a quarter of
    # a second later costs nobody anything.
    await anyio.sleep(ANSWER_HEAD_START_SECONDS)
    await run_in_threadpool(
        _send_link, engine=engine, settings=settings, email=email, at=at, landing=landing
    )


def _send_link(
    *, engine: Engine, settings: Settings, email: str, at: datetime, landing: str | None
) -> None:
    """Queue (and try to send at once) a new link if the address belongs to someone."""
    with Session(engine, expire_on_commit=False) as session:
        found = person_for_address(session=session, email=email)
        if found is None or found.id is None:
            return
        partnership = session.exec(select(Partnership)).first()
        context = SignInLinkContext(
            partnership_name=partnership.name if partnership else "Safeguarding partnership",
            landing_page=landing,
        )
        message = queue_message(
            session=session,
            dedupe_key=f"sign-in-link:{found.id}:{at.isoformat()}",
            context=context,
            now=at,
            person_id=found.id,
            settings=settings,
        )
        _person_event(session, found.id, "portal.link_requested", at)
        session.commit()
    if message is not None and message.id is not None:
        try:
            send_now(message_ids=[message.id], engine=engine, now=at, settings=settings)
        except Exception:  # the scheduled dispatcher sends it later
            logger.exception("sending a sign-in link at once failed; it stays queued")


@router.get("/sign-in/{token}", response_class=HTMLResponse)
def confirm_page(
    request: Request,
    token: str,
) -> HTMLResponse:
    """The page a link opens: nothing is used up until the button is pressed."""
    return render(request, "views/confirm_sign_in.html", token=token)


@router.post("/sign-in/{token}", response_model=None)
def confirm(
    request: Request,
    token: str,
    session: SessionDep,
    at: Now,
) -> Response:
    """Use the token once and start a session."""
    limits = request.app.state.limits
    if not allow(
        engine=request.app.state.engine,
        kind="signin",
        key=_client(request),
        per_minute=limits["sign_in_per_ip"],
        now=at,
    ):
        return _limited(request)
    try:
        used = consume_sign_in_token(session=session, raw_token=token, now=at)
    except SignInTokenError:
        session.rollback()
        return render(request, "views/link_invalid.html", status_code=400)
    person = session.get(Person, used.person_id)
    settings: Settings = request.app.state.settings
    if person is not None and settings.sso_required_for(person.email):
        session.rollback()  # the link stays unused; the provider is the way in
        landing = safe_landing(used.landing)
        return use_provider_page(request, person.email, landing=landing, status_code=403)
    try:
        home = start_signed_in(
            request,
            session=session,
            person_id=used.person_id,
            at=at,
            signed_in_with="link",
            authenticated_at=at,
        )
    except SignInRefusedError:
        session.rollback()  # no longer in the registry: the link signs nobody in
        return render(request, "views/link_invalid.html", status_code=400)
    return RedirectResponse(safe_landing(used.landing) or home, status_code=303)


@router.post("/sign-out", response_model=None)
def sign_out(
    request: Request,
    session: SessionDep,
    at: Now,
) -> Response:
    """End the session in the database (on every portal process) and in the browser."""
    current: PortalSession = request.state.session
    provider_sign_out = None
    if current.key is not None and current.person_id is not None:
        row = session_row(session=session, raw_key=current.key)
        provider_sign_out = _provider_sign_out(request, row.signed_in_with if row else None, at)
        end_session(session=session, raw_key=current.key, now=at)
        _person_event(session, current.person_id, "portal.signed_out", at)
        session.commit()
    fresh: PortalSession = new_session()
    request.state.session = fresh
    if provider_sign_out is None:
        return RedirectResponse("/", status_code=303)
    name, url = provider_sign_out
    return render(request, "views/signed_out.html", provider_name=name, provider_url=url)


def _provider_sign_out(
    request: Request, signed_in_with: str | None, at: datetime
) -> tuple[str, str] | None:
    """The provider's name and end-session page for a session it started, if it has one."""
    if not signed_in_with or not signed_in_with.startswith("oidc:"):
        return None
    client = clients(request).get(signed_in_with.removeprefix("oidc:"))
    if client is None:
        return None
    base = request.app.state.settings.portal_base_url.rstrip("/")
    url = client.end_session_url(post_logout_redirect_uri=f"{base}/", now=at)
    return (client.provider.name, url) if url else None
