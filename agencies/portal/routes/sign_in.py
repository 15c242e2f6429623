"""Signing in by an emailed link: the confirm page, the button that uses the token, new links."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from agencies.deps import Now, SessionDep
from agencies.portal.pages import render
from agencies.portal.security import PortalSession, allow, new_session, signed_in
from flows.answers.concern_access import concern_home, front_door_for_address
from models.audit_log import record_event
from models.partnership import Partnership, Person
from notifications.contexts import SignInLinkContext
from notifications.dispatcher import send_now
from notifications.errors import SignInTokenError
from notifications.outbox import queue_message
from notifications.tokens import consume_sign_in_token, safe_landing

router = APIRouter()
logger = logging.getLogger(__name__)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
    session: SessionDep,
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
    if not allow(
        engine=engine, kind="link-to", key=email, per_minute=limits["link_per_address"], now=at
    ):
        return _limited(request)
    found = session.exec(select(Person).where(col(Person.email) == email)).first()
    found = found or front_door_for_address(session=session, email=email)
    if found is not None and found.id is not None:
        partnership = session.exec(select(Partnership)).first()
        context = SignInLinkContext(
            partnership_name=partnership.name if partnership else "Safeguarding partnership"
        )
        message = queue_message(
            session=session,
            dedupe_key=f"sign-in-link:{found.id}:{at.isoformat()}",
            context=context,
            now=at,
            person_id=found.id,
            settings=request.app.state.settings,
        )
        record_event(
            session=session,
            actor=f"person:{found.id}",
            action="portal.link_requested",
            entity_type="person",
            entity_id=found.id,
            now=at,
        )
        session.commit()
        if message is not None and message.id is not None:
            try:
                send_now(
                    message_ids=[message.id], engine=engine, settings=request.app.state.settings
                )
            except Exception:  # the scheduled dispatcher sends it later
                logger.exception("sending a sign-in link at once failed; it stays queued")
    return RedirectResponse("/sign-in/check-email", status_code=303)


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
    record_event(
        session=session,
        actor=f"person:{used.person_id}",
        action="portal.signed_in",
        entity_type="person",
        entity_id=used.person_id,
        now=at,
    )
    session.commit()
    request.state.session = signed_in(used.person_id, at)
    home = concern_home(session=session, person_id=used.person_id) or "/tasks"
    return RedirectResponse(safe_landing(used.landing) or home, status_code=303)


@router.post("/sign-out", response_model=None)
def sign_out(
    request: Request,
) -> Response:
    """End the session (a new anonymous one replaces it)."""
    fresh: PortalSession = new_session()
    request.state.session = fresh
    return RedirectResponse("/", status_code=303)
