"""The coordinator's rounds: the list, one round's progress, and the audited "show identities"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep
from agencies.portal.coordinator_changes import CHANGES
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import (
    active_agencies,
    last_activity,
    overdue_cases,
    page,
    progress_grid,
    round_identities,
    round_or_404,
)
from agencies.portal.fresh import sign_in_again
from agencies.portal.report_view import has_report
from flows.answers.concerns import round_concerns
from flows.chase.outlook import chase_outlook
from flows.register.rows import CaseIdentityData
from flows.rounds.views import list_rounds, round_detail
from models.errors import ConfigurationError
from models.round import RoundStatus
from notifications.outbox import list_messages

router = APIRouter(prefix="/coordinator")


@router.get("", response_model=None)
def home(
    request: Request,
    _coordinator: Coordinator,
    session: SessionDep,
) -> RedirectResponse:
    """The coordinator's starting page is the rounds list."""
    return RedirectResponse("/coordinator/rounds", status_code=303)


@router.get("/rounds", response_class=HTMLResponse)
def rounds(
    request: Request,
    _coordinator: Coordinator,
    session: SessionDep,
) -> HTMLResponse:
    """Every round, newest first, with its progress."""
    return page(request, "rounds.html", rounds=list_rounds(session=session))


def _round_page(
    request: Request,
    session: Session,
    round_id: int,
    at: datetime,
    *,
    status_code: int = 200,
    identities: dict[str, CaseIdentityData | None] | None = None,
    errors: dict[str, str] | None = None,
    reason: str = "",
) -> HTMLResponse:
    round_ = round_or_404(session=session, round_id=round_id)
    detail = round_detail(session=session, round_id=round_id, now=at)
    activity = last_activity(session=session, round_id=round_id)
    concerns = round_concerns(session=session, round_id=round_id)
    changed = CHANGES.get(request.query_params.get("changed", ""))
    counts: dict[str, Any] = {
        "overdue": len(overdue_cases(detail, activity)),
        "failures": len(
            list_messages(session=session, round_id=round_id, failures_only=True, limit=None)
        ),
        "chases": len(detail.chase_history),
        "concerns": len(concerns),
        "unacknowledged": sum(1 for c, _, _ in concerns if c.acknowledged_at is None),
        "reported": has_report(session=session, round_id=round_id),
    }
    return page(
        request,
        "round.html",
        status_code=status_code,
        detail=detail,
        round=round_,
        collecting=round_.status == RoundStatus.collecting,
        agencies=active_agencies(detail),
        grid=progress_grid(detail, activity),
        counts=counts,
        changes=list(CHANGES.values()),
        changed=changed,
        identities=identities,
        errors=errors or {},
        reason=reason,
        launched=request.query_params.get("launched") == "1",
        signed_in_again=request.query_params.get("again") == "1",
        outlook=chase_outlook(
            session=session, round_id=round_id, now=at, settings=request.app.state.settings
        ),
    )


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> HTMLResponse:
    """A round's summary, its agency-by-case progress grid and links to act on it."""
    return _round_page(request, session, round_id, at)


@router.post("/rounds/{round_id}/identities", response_class=HTMLResponse)
async def show_identities(
    request: Request,
    who: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> HTMLResponse:
    """Show the identities of the round's cases in this response only; each view is audited."""
    round_or_404(session=session, round_id=round_id)
    again = sign_in_again(
        request,
        session=session,
        who=who,
        at=at,
        step="round.identities",
        resume=f"/coordinator/rounds/{round_id}?again=1#identities",
    )
    if again is not None:
        return again
    reason = str((await request.form()).get("reason") or "").strip()
    if not reason:
        errors = {"reason": "Enter why you need to see the children's identities"}
        return _round_page(request, session, round_id, at, status_code=400, errors=errors)
    try:
        shown = round_identities(
            session=session,
            round_id=round_id,
            person_id=who.id or 0,
            reason=reason,
            settings=request.app.state.settings,
            now=at,
        )
    except ConfigurationError as error:
        session.rollback()
        errors = {"reason": readable(error)}
        return _round_page(request, session, round_id, at, status_code=409, errors=errors)
    session.commit()  # the audit log of the views, before anything is shown
    return _round_page(request, session, round_id, at, identities=shown, reason=reason)
