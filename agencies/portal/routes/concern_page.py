"""One immediate concern, for the front door, the raising agency's escalation contact and the
coordinators: the child (audited; coordinators behind "Show identities"), what the auditor
wrote, who raised it and when, acknowledgement and the decision on a referral.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Now, SessionDep, SignedIn, not_found
from agencies.portal.fresh import sign_in_again
from agencies.portal.pages import render
from flows.answers.concern_access import (
    MAX_TEXT,
    ConcernView,
    concerns_of,
    open_concern,
    read_notes,
)
from flows.answers.concerns import (
    MAX_REFERENCE,
    acknowledge,
    concern_state_wording,
    people_names,
    record_decision,
)
from flows.register.rows import CaseIdentityData
from flows.register.store import reveal_identity
from models.crypto import load_cipher
from models.errors import ConfigurationError, NotFoundError
from models.partnership import Person

router = APIRouter()
OUTCOMES = (("referred", "Referral made"), ("not_referred", "No referral needed"))


def _open(session: Session, who: Person, concern_id: int) -> ConcernView:
    try:
        return open_concern(session=session, person_id=who.id or 0, concern_id=concern_id)
    except NotFoundError:
        raise not_found() from None


def _identity(
    request: Request, session: Session, view: ConcernView, who: Person, at: datetime
) -> CaseIdentityData | None:
    try:
        return reveal_identity(
            session=session,
            case_ref=view.case_ref,
            cipher=load_cipher(request.app.state.settings),
            actor=f"person:{who.id}",
            reason=f"portal concern {view.concern.id}: {view.role}",
            now=at,
        )
    except (NotFoundError, ConfigurationError):
        return None


def _page(
    request: Request,
    session: Session,
    view: ConcernView,
    who: Person,
    at: datetime,
    *,
    show_identity: bool = False,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    identity = None
    if view.role != "coordinator" or show_identity:
        identity = _identity(request, session, view, who, at)
    notes = read_notes(
        session=session,
        concerns=[view.concern],
        cipher=load_cipher(request.app.state.settings),
        actor=f"person:{who.id}",
        now=at,
    ).get(view.concern.id or 0)
    session.commit()  # the audit log of what was read, before it is shown
    return render(
        request,
        "views/concerns/concern.html",
        status_code=400 if errors else 200,
        view=view,
        concern=view.concern,
        notes=notes,
        identity=identity,
        reference=identity.references.get(view.agency.code) if identity else None,
        names=people_names(session=session, concerns=[view.concern]),
        wording=concern_state_wording(view.concern.state),
        outcomes=OUTCOMES,
        values=values or {},
        errors=errors or {},
        notice=notice,
        max_text=MAX_TEXT,
        max_reference=MAX_REFERENCE,
    )


@router.get("/concerns", response_class=HTMLResponse)
def concern_list(request: Request, who: SignedIn, session: SessionDep) -> HTMLResponse:
    """The concerns a person was granted (the front door's, an escalation contact's)."""
    views = []
    for concern_id in concerns_of(session=session, person_id=who.id or 0):
        try:
            views.append(
                open_concern(session=session, person_id=who.id or 0, concern_id=concern_id)
            )
        except NotFoundError:
            continue
    return render(
        request,
        "views/concerns/list.html",
        views=views,
        wording={v.concern.id: concern_state_wording(v.concern.state) for v in views},
    )


@router.get("/concerns/{concern_id}", response_class=HTMLResponse)
def concern_page(
    request: Request, concern_id: int, who: SignedIn, session: SessionDep, at: Now
) -> HTMLResponse:
    """The concern as the front door, the escalation contact or a coordinator sees it."""
    view = _open(session, who, concern_id)
    saved = request.query_params.get("saved")
    notice = {"decision": "The decision was recorded.", "ack": "The concern was acknowledged."}
    return _page(request, session, view, who, at, notice=notice.get(saved or ""))


@router.post("/concerns/{concern_id}/identities", response_class=HTMLResponse)
def show_identities(
    request: Request, concern_id: int, who: SignedIn, session: SessionDep, at: Now
) -> HTMLResponse:
    """A coordinator's audited step to see the child's identity on the concern's page."""
    view = _open(session, who, concern_id)
    again = sign_in_again(
        request,
        session=session,
        who=who,
        at=at,
        step="concern.identity",
        resume=f"/concerns/{concern_id}",
    )
    if again is not None:
        return again
    return _page(request, session, view, who, at, show_identity=True)


@router.post("/concerns/{concern_id}/acknowledge", response_model=None)
def acknowledge_it(
    request: Request, concern_id: int, who: SignedIn, session: SessionDep, at: Now
) -> Response:
    """Acknowledge the concern: someone has taken it on (stops the chasing)."""
    view = _open(session, who, concern_id)
    acknowledge(session=session, concern=view.concern, person_id=who.id or 0, now=at)
    session.commit()
    return RedirectResponse(f"/concerns/{concern_id}?saved=ack", status_code=303)


@router.post("/concerns/{concern_id}/decision", response_model=None)
async def decide(
    request: Request, concern_id: int, who: SignedIn, session: SessionDep, at: Now
) -> Response:
    """Record "referral made" with its reference, or "no referral needed, because ..."."""
    view = _open(session, who, concern_id)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("outcome", "reference", "reason")}
    errors = {}
    if values["outcome"] not in ("referred", "not_referred"):
        errors["outcome"] = "Select whether a referral was made"
    elif values["outcome"] == "not_referred" and not values["reason"]:
        errors["reason"] = "Enter why no referral is needed"
    if len(values["reference"]) > MAX_REFERENCE:
        errors["reference"] = f"The reference must be {MAX_REFERENCE} characters or fewer"
    if len(values["reason"]) > MAX_TEXT:
        errors["reason"] = f"The reason must be {MAX_TEXT} characters or fewer"
    if errors:
        return _page(request, session, view, who, at, values=values, errors=errors)
    record_decision(
        session=session,
        concern=view.concern,
        person_id=who.id or 0,
        now=at,
        referred=values["outcome"] == "referred",
        reference=values["reference"],
        reason=values["reason"] if values["outcome"] == "not_referred" else None,
        settings=request.app.state.settings,
    )
    session.commit()
    return RedirectResponse(f"/concerns/{concern_id}?saved=decision", status_code=303)
