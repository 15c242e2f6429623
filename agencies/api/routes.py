"""The agency API's endpoints: list assignments, read one, save answers, submit, amend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi import Path as PathParam
from sqlmodel import Session

from agencies.api.auth import Caller, caller
from agencies.api.convert import answers_out, check_json_answers, questions_out
from agencies.api.schemas import (
    AnswerIn,
    AnswerSetOut,
    AnswersIn,
    AnswersOut,
    AssignmentDetail,
    AssignmentList,
    AssignmentOut,
    Problem,
    RoundFilter,
    SubmitIn,
    ToolOut,
    ValidationProblem,
)
from agencies.deps import Now, SessionDep
from flows.answers import store
from flows.answers.access import AssignmentView, agency_assignments, get_agency_assignment
from flows.register.store import reveal_identity
from models.audit_log import record_event
from models.crypto import load_cipher
from models.errors import ConfigurationError, ConflictError, NotFoundError
from models.tool_version import frozen_tool

NOT_FOUND = "no such assignment for your agency"
AssignmentId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="The assignment's id")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No API key, or not a valid or live one"},
    404: {"model": Problem, "description": "No such assignment for the key's agency"},
}
CHANGE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"model": Problem, "description": "Collection has closed, or the answers are submitted"},
    422: {"model": ValidationProblem, "description": "Answers that fail the questionnaire"},
}

router = APIRouter(tags=["assignments"])


def _view(session: Session, who: Caller, assignment_id: int) -> AssignmentView:
    try:
        return get_agency_assignment(
            session=session, agency_id=who.agency_id, assignment_id=assignment_id
        )
    except NotFoundError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


def _summary(view: AssignmentView) -> AssignmentOut:
    assignment = view.assignment
    return AssignmentOut(
        id=assignment.id or 0,
        round_id=view.round.id or 0,
        round_title=view.round.title,
        round_status=view.round.status,
        case_ref=view.case_ref,
        status=assignment.status,
        due_date=view.due_date,
        collecting=view.collecting,
        updated_at=assignment.updated_at,
        submitted_at=assignment.submitted_at,
    )


def _answers(session: Session, view: AssignmentView) -> AnswerSetOut:
    loaded = store.load_answers(session=session, view=view)
    current = loaded.answer_set
    return AnswerSetOut(
        version=None if current is None else current.version,
        status=None if current is None else current.status,
        editable=loaded.editable and view.collecting,
        updated_at=None if current is None else current.updated_at,
        submitted_at=None if current is None else current.submitted_at,
        values=answers_out(loaded.values),
    )


def _reference(
    request: Request, session: Session, view: AssignmentView, who: Caller, at: datetime
) -> str | None:
    """The agency's own reference for the child, if the register holds one (an audited reveal)."""
    try:
        data = reveal_identity(
            session=session,
            case_ref=view.case_ref,
            cipher=load_cipher(request.app.state.settings),
            actor=who.actor,
            reason=f"api: assignment {view.assignment.id}",
            now=at,
        )
    except (NotFoundError, ConfigurationError):
        return None
    return data.references.get(view.agency.code)


def _changed(session: Session, view: AssignmentView) -> AnswersOut:
    """The response to a change, read in the change's own transaction, which then commits."""
    changed = AnswersOut(assignment=_summary(view), answers=_answers(session, view))
    session.commit()
    return changed


def _conflict(session: Session, error: ConflictError) -> HTTPException:
    session.rollback()
    return HTTPException(status_code=409, detail=str(error))


def _apply(
    session: Session, who: Caller, at: datetime, change: Callable[..., object], **fields: object
) -> None:
    """Change the answers as the API caller; a conflict is undone and answered 409."""
    try:
        change(session=session, person_id=None, actor=who.actor, now=at, **fields)
    except ConflictError as error:
        raise _conflict(session, error) from None


def _read(
    session: Session, who: Caller, action: str, entity: str, entity_id: int, at: datetime
) -> None:
    record_event(
        session=session,
        actor=who.actor,
        action=action,
        entity_type=entity,
        entity_id=entity_id,
        now=at,
    )
    session.commit()


@router.get("/assignments", response_model=AssignmentList, responses={401: ERRORS[401]})
def list_assignments(
    session: SessionDep,
    at: Now,
    who: Caller = Depends(caller),
    round_id: RoundFilter = None,
) -> AssignmentList:
    """The agency's assignments in the rounds it takes part in, with their statuses."""
    views = agency_assignments(session=session, agency_id=who.agency_id)
    views = [v for v in views if round_id is None or v.round.id == round_id]
    _read(session, who, "api.assignments_listed", "agency", who.agency_id, at)
    return AssignmentList(agency=who.agency_code, assignments=[_summary(v) for v in views])


@router.get("/assignments/{assignment_id}", response_model=AssignmentDetail, responses=ERRORS)
def get_assignment(
    request: Request,
    assignment_id: AssignmentId,
    session: SessionDep,
    at: Now,
    who: Caller = Depends(caller),
) -> AssignmentDetail:
    """One assignment: the frozen tool version's questions and the answers saved so far."""
    view = _view(session, who, assignment_id)
    tool = frozen_tool(view.tool_version)
    detail = AssignmentDetail(
        **_summary(view).model_dump(),
        agency_reference=_reference(request, session, view, who, at),
        tool=ToolOut(name=tool.name, version=view.tool_version.version, title=tool.title),
        questions=questions_out(tool, view.agency.code),
        answers=_answers(session, view),
    )
    _read(session, who, "api.assignment_viewed", "assignment", assignment_id, at)
    return detail


@router.put(
    "/assignments/{assignment_id}/answers", response_model=AnswersOut, responses=CHANGE_ERRORS
)
def save_answers(
    assignment_id: AssignmentId,
    body: AnswersIn,
    session: SessionDep,
    at: Now,
    who: Caller = Depends(caller),
) -> AnswersOut:
    """Save draft answers (replacing the draft's); any invalid answer saves nothing (422)."""
    view = _view(session, who, assignment_id)
    questions = view.questions()
    values = check_json_answers(questions, body.answers, complete=False)
    _apply(session, who, at, store.save_draft, view=view, questions=questions, values=values)
    return _changed(session, view)


@router.post(
    "/assignments/{assignment_id}/submit", response_model=AnswersOut, responses=CHANGE_ERRORS
)
def submit_answers(
    assignment_id: AssignmentId,
    session: SessionDep,
    at: Now,
    body: Annotated[SubmitIn | None, Body()] = None,
    who: Caller = Depends(caller),
) -> AnswersOut:
    """Submit these complete answers, or the saved draft when the body has none."""
    view = _view(session, who, assignment_id)
    questions = view.questions()
    sent: dict[str, AnswerIn] = (
        dict(answers_out(store.load_answers(session=session, view=view).values))
        if body is None or body.answers is None
        else body.answers
    )
    values = check_json_answers(questions, sent, complete=True)
    _apply(session, who, at, store.submit, view=view, questions=questions, values=values)
    return _changed(session, view)


@router.post(
    "/assignments/{assignment_id}/amend", response_model=AnswersOut, responses=CHANGE_ERRORS
)
def amend_answers(
    assignment_id: AssignmentId,
    session: SessionDep,
    at: Now,
    who: Caller = Depends(caller),
) -> AnswersOut:
    """Reopen submitted answers as a new draft version (until collection closes)."""
    view = _view(session, who, assignment_id)
    _apply(session, who, at, store.amend, view=view, questions=view.questions())
    return _changed(session, view)
