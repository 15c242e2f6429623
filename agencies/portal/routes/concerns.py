"""Raising an immediate concern: what it is, whether the child is at immediate risk, check your
answers, then a confirmation naming who was alerted. Works without JavaScript: each step's
answers travel in the form to the next step; nothing is stored until the concern is raised.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from agencies.deps import Now, SessionDep, SignedIn, not_found
from agencies.portal.pages import render
from flows.answers.access import AssignmentView, get_assignment
from flows.answers.concern_access import MAX_TEXT, who_was_alerted
from flows.answers.concerns import raise_concern
from models.answers import Concern
from models.errors import NotFoundError
from models.partnership import Partnership, Person
from models.round import GrantRole
from notifications.dispatcher import send_now

router = APIRouter()
logger = logging.getLogger(__name__)
RISK_CHOICES = (("yes", "Yes"), ("no", "No"))
ERRORS = {
    "description": "Enter what the concern is",
    "description_long": f"What the concern is must be {MAX_TEXT} characters or fewer",
    "risk": "Select whether the child is thought to be at immediate risk of significant harm",
}


def _raiser_view(session: Session, who: Person, assignment_id: int) -> AssignmentView:
    """The assignment for its agency's lead or deputy; anyone else gets "not found"."""
    assert who.id is not None
    try:
        view = get_assignment(session=session, person_id=who.id, assignment_id=assignment_id)
    except NotFoundError:
        raise not_found() from None
    if view.role == GrantRole.escalation:
        raise not_found()
    return view


def front_door_contact(session: Session) -> dict[str, str | None]:
    """The front door's name and phone number for the "call now" panel (never its address)."""
    partnership = session.exec(select(Partnership)).first()
    return {
        "name": (partnership.front_door_name if partnership else None) or "the front door (MASH)",
        "phone": partnership.front_door_phone if partnership else None,
    }


def _read(data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The journey's answers so far and what is wrong with them."""
    values = {
        "description": data.get("description", "").strip(),
        "risk": data.get("risk", "") if data.get("risk") in ("yes", "no") else "",
    }
    errors = {}
    if not values["description"]:
        errors["description"] = ERRORS["description"]
    elif len(values["description"]) > MAX_TEXT:
        errors["description"] = ERRORS["description_long"]
    if not values["risk"]:
        errors["risk"] = ERRORS["risk"]
    return values, errors


def _step(
    request: Request,
    session: Session,
    view: AssignmentView,
    step: str,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "view": view,
        "values": values,
        "errors": errors or {},
        "risk_choices": RISK_CHOICES,
        "front_door": front_door_contact(session),
        "max_text": MAX_TEXT,
    }
    return render(
        request,
        f"views/concerns/{step}.html",
        status_code=400 if errors else 200,
        **context,
    )


@router.get("/cases/{assignment_id}/concern/new", response_class=HTMLResponse)
def describe(
    request: Request, assignment_id: int, who: SignedIn, session: SessionDep
) -> HTMLResponse:
    """Step 1: what the concern is."""
    view = _raiser_view(session, who, assignment_id)
    return _step(request, session, view, "describe", {"description": "", "risk": ""})


@router.post("/cases/{assignment_id}/concern/new", response_class=HTMLResponse)
async def journey(
    request: Request, assignment_id: int, who: SignedIn, session: SessionDep
) -> HTMLResponse:
    """The next step of the journey, chosen by the button pressed (`go`)."""
    view = _raiser_view(session, who, assignment_id)
    form = await request.form()
    data = {key: str(form.get(key) or "") for key in ("description", "risk", "go")}
    values, errors = _read(data)
    go = data["go"]
    if go == "describe":
        return _step(request, session, view, "describe", values)
    if "description" in errors:
        return _step(
            request, session, view, "describe", values, {"description": errors["description"]}
        )
    if go == "risk":
        return _step(request, session, view, "risk", values)
    if "risk" in errors:
        return _step(request, session, view, "risk", values, {"risk": errors["risk"]})
    return _step(request, session, view, "check", values)


@router.post("/cases/{assignment_id}/concern", response_model=None)
async def raise_it(
    request: Request, assignment_id: int, who: SignedIn, session: SessionDep, at: Now
) -> Response:
    """Raise the concern; its alerts are sent at once, not on a schedule."""
    view = _raiser_view(session, who, assignment_id)
    form = await request.form()
    values, errors = _read({key: str(form.get(key) or "") for key in ("description", "risk")})
    if errors:
        step = "describe" if "description" in errors else "risk"
        return _step(request, session, view, step, values, errors)
    settings = request.app.state.settings
    raised = raise_concern(
        session=session,
        view=view,
        person_id=who.id or 0,
        now=at,
        settings=settings,
        description=values["description"],
        immediate_risk=values["risk"] == "yes",
    )
    session.commit()
    try:
        send_now(message_ids=raised.message_ids, engine=request.app.state.engine, settings=settings)
    except Exception:  # queued: the scheduled dispatcher retries
        logger.exception("sending concern alerts at once failed; they stay queued")
    return RedirectResponse(f"/concerns/{raised.concern.id}/raised", status_code=303)


@router.get("/concerns/{concern_id}/raised", response_class=HTMLResponse)
def raised(request: Request, concern_id: int, who: SignedIn, session: SessionDep) -> HTMLResponse:
    """The confirmation for the person who raised it: who was alerted and what happens next."""
    concern = session.get(Concern, concern_id)
    if concern is None or concern.raised_by != who.id:
        raise not_found()
    view = _raiser_view(session, who, concern.assignment_id)
    return render(
        request,
        "views/concerns/raised.html",
        view=view,
        concern=concern,
        alerted=who_was_alerted(session=session, concern_id=concern_id),
        front_door=front_door_contact(session),
    )
