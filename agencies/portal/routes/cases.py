"""A case's questionnaire: view, save a draft, submit, amend; the case's concerns (raised in
routes/concerns.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Now, SessionDep, not_found, person
from agencies.portal.forms import read_answers
from agencies.portal.pages import render
from agencies.portal.tool_preview import preview_sections
from flows.answers import store
from flows.answers.access import AssignmentView, get_assignment, visible_assignments
from flows.answers.concerns import (
    concern_state_wording,
    concerns_for,
    people_names,
)
from flows.answers.identities import identity_for
from models.errors import ConflictError, NotFoundError
from models.round import ANSWERED, GrantRole
from models.tool_version import frozen_tool

router = APIRouter()


def _view(session: Session, request: Request, assignment_id: int) -> tuple[int, AssignmentView]:
    who = person(session, request)
    assert who.id is not None
    try:
        return who.id, get_assignment(
            session=session, person_id=who.id, assignment_id=assignment_id
        )
    except NotFoundError:
        raise not_found() from None


def _answering_view(
    session: Session, request: Request, assignment_id: int
) -> tuple[int, AssignmentView]:
    """The assignment for a lead or deputy; an escalation contact may read it, never answer."""
    person_id, view = _view(session, request, assignment_id)
    if view.role == GrantRole.escalation:
        raise not_found()
    return person_id, view


def _page(
    request: Request,
    session: Session,
    view: AssignmentView,
    person_id: int,
    at: datetime,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    notice: str | None = None,
    banner: str | None = None,
) -> HTMLResponse:
    questions = view.questions()
    sections = preview_sections(
        frozen_tool(view.tool_version), agency=view.agency.code, show_scoring=False, case=view.case
    )
    loaded = store.load_answers(session=session, view=view)
    shown = identity_for(
        session=session,
        view=view,
        person_id=person_id,
        settings=request.app.state.settings,
        now=at,
        page="case",
    )
    concerns = concerns_for(session=session, assignment_id=view.assignment.id or 0)
    session.commit()  # the audit log of the identity view
    editable = loaded.editable and view.collecting and view.role != GrantRole.escalation
    return render(
        request,
        "views/case.html",
        status_code=status_code,
        view=view,
        questions=questions,
        values=loaded.values if values is None else values,
        errors=errors or {},
        identity=shown,
        concerns=concerns,
        names=people_names(session=session, concerns=concerns),
        concern_wording=concern_state_wording,
        editable=editable,
        loaded=loaded,
        notice=notice,
        sections=sections,
        banner=banner,
        next_case=_next_case(session, person_id, view) if banner == "submitted" else None,
    )


def _next_case(session: Session, person_id: int, view: AssignmentView) -> AssignmentView | None:
    """The agency's next unanswered case in the round, in task-list order, after this one."""
    same = [
        other
        for other in visible_assignments(session=session, person_id=person_id)
        if other.round.id == view.round.id and other.agency.id == view.agency.id
    ]
    position = next(i for i, other in enumerate(same) if other.assignment.id == view.assignment.id)
    later = same[position + 1 :] + same[:position]
    return next((other for other in later if other.assignment.status not in ANSWERED), None)


@router.get("/cases/{assignment_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    assignment_id: int,
    session: SessionDep,
    at: Now,
) -> HTMLResponse:
    """The questionnaire (or the submitted answers, read-only) and the case's concerns; after
    a save or a submission, a banner saying so."""
    person_id, view = _view(session, request, assignment_id)
    query = request.query_params
    banner = "submitted" if query.get("submitted") else "saved" if query.get("saved") else None
    return _page(request, session, view, person_id, at, banner=banner)


@router.post("/cases/{assignment_id}", response_model=None)
async def save_or_submit(
    request: Request,
    assignment_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Save a draft (keeps what is valid) or submit (all required answers, else the errors)."""
    person_id, view = _answering_view(session, request, assignment_id)
    form = await request.form()
    data = {key: [str(v) for v in form.getlist(key)] for key in form}
    submitting = data.get("action", [""])[0] == "submit"
    questions = view.questions()
    values, shown, errors = read_answers(questions, data, complete=submitting)
    try:
        if not (submitting and errors):  # a submission with errors saves nothing
            keep = store.submit if submitting else store.save_draft
            keep(
                session=session,
                view=view,
                questions=questions,
                values=values,
                person_id=person_id,
                now=at,
            )
    except ConflictError as error:
        session.rollback()
        return _page(request, session, view, person_id, at, status_code=409, notice=str(error))
    session.commit()
    if errors:
        return _page(
            request, session, view, person_id, at, values=shown, errors=errors, status_code=400
        )
    if submitting:
        return RedirectResponse(f"/cases/{assignment_id}?submitted=1", status_code=303)
    return RedirectResponse(f"/cases/{assignment_id}?saved=1", status_code=303)


@router.post("/cases/{assignment_id}/amend", response_model=None)
def amend(
    request: Request,
    assignment_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Reopen submitted answers as a new version (until collection closes)."""
    person_id, view = _answering_view(session, request, assignment_id)
    try:
        store.amend(
            session=session,
            view=view,
            questions=view.questions(),
            person_id=person_id,
            now=at,
        )
    except ConflictError as error:
        session.rollback()
        return _page(request, session, view, person_id, at, status_code=409, notice=str(error))
    session.commit()
    return RedirectResponse(f"/cases/{assignment_id}", status_code=303)
