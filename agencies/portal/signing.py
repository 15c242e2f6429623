"""Starting a session, by a link or a provider: who an address is, and the way in for it."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from agencies.portal.oidc.registry import serving
from agencies.portal.pages import render
from agencies.portal.security import PortalSession, signed_in
from flows.answers.concern_access import concern_home, front_door_for_address
from models.audit_log import record_event
from models.errors import SignInRefusedError
from models.partnership import Person
from models.sessions import end_session, session_person, start_session


def person_for_address(*, session: Session, email: str) -> Person | None:
    """The registry's person with this address (a contact, or the front door)."""
    found = session.exec(select(Person).where(col(Person.email) == email)).first()
    return found or front_door_for_address(session=session, email=email)


def start_signed_in(
    request: Request,
    *,
    session: Session,
    person_id: int,
    at: datetime,
    signed_in_with: str,
    authenticated_at: datetime | None,
) -> str:
    """Start a session (ending the one it replaces) and audit it; the person's home page.

    SignInRefusedError when the person no longer has a place in the partnership."""
    key = start_session(
        session=session,
        person_id=person_id,
        now=at,
        signed_in_with=signed_in_with,
        authenticated_at=authenticated_at,
    )
    session.flush()
    if session_person(session=session, raw_key=key, now=at) is None:
        raise SignInRefusedError("no_place")
    previous: PortalSession = request.state.session
    again = previous.key is not None and previous.person_id == person_id
    if previous.key is not None:
        end_session(session=session, raw_key=previous.key, now=at, by="signed-in-again")
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action="portal.signed_in_again" if again else "portal.signed_in",
        entity_type="person",
        entity_id=person_id,
        now=at,
        details={"with": signed_in_with},
    )
    session.commit()
    request.state.session = signed_in(person_id, at, key=key)
    return concern_home(session=session, person_id=person_id) or "/tasks"


def use_provider_page(
    request: Request, email: str, *, landing: str | None, status_code: int
) -> HTMLResponse:
    """ "Sign in with your organisation's account": the providers serving the address."""
    return render(
        request,
        "views/use_provider.html",
        status_code=status_code,
        providers=serving(request, email),
        landing=landing,
    )
