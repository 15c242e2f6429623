"""A recent sign-in before sensitive steps (identities, exports): else "sign in again"."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from agencies.deps import actor
from agencies.portal.oidc.registry import serving
from agencies.portal.pages import render
from agencies.portal.security import PortalSession
from models.audit_log import record_event
from models.partnership import Person
from models.sessions import session_row, signed_in_recently
from models.settings import Settings


def sign_in_again(
    request: Request, *, session: Session, who: Person, at: datetime, step: str, resume: str
) -> HTMLResponse | None:
    """None when the person signed in recently enough; else the "sign in again" page (audited).

    `step` names the step for the audit log; `resume` is the page the new sign-in opens."""
    settings: Settings = request.app.state.settings
    current: PortalSession = request.state.session
    within = timedelta(minutes=settings.fresh_sign_in_minutes)
    row = session_row(session=session, raw_key=current.key) if current.key else None
    if signed_in_recently(row=row, now=at, within=within):
        return None
    used = (row.signed_in_with or "link") if row else "link"
    providers = serving(request, who.email)
    # The provider the person signed in with first, when it serves them.
    providers.sort(key=lambda c: f"oidc:{c.provider.key}" != used)
    record_event(
        session=session,
        actor=actor(who),
        action="portal.fresh_sign_in_asked",
        entity_type="person",
        entity_id=who.id,
        now=at,
        details={"step": step},
    )
    session.commit()
    return render(
        request,
        "views/sign_in_again.html",
        status_code=401,
        providers=providers,
        resume=resume,
        link_allowed=not settings.sso_required_for(who.email),
        minutes=settings.fresh_sign_in_minutes,
    )
