"""The agency API's endpoints: list assignments, read one, save answers, submit, amend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi import Path as PathParam
from sqlalchemy import Engine
from sqlmodel import Session

from agencies.api.auth import (
    Caller,
    KeyBeforeBody,
    PresentedKey,
    identify,
    key_reader,
    presented_key,
    request_time,
)
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
from flows.answers import store
from flows.answers.access import AssignmentView, agency_assignments
from flows.answers.agency_view import get_agency_assignment
from flows.register.store import reveal_identity
from models.audit_log import record_event
from models.crypto import load_cipher
from models.errors import ConfigurationError, ConflictError, NotFoundError, WriterBusyError
from models.settings import Settings

NOT_FOUND = "no such assignment for your agency"
Key = Annotated[PresentedKey, Depends(presented_key)]
At = Annotated[datetime, Depends(request_time)]
T = TypeVar("T")
DEFAULT_LANES = 4
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

router = APIRouter(tags=["assignments"], route_class=KeyBeforeBody)


def _view(session: Session, who: Caller, assignment_id: int) -> AssignmentView:
    """The assignment the request names, as read with its key when it was."""
    if who.named is not None and who.named[0] == assignment_id:
        found = who.named[1]
        if found is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        return found
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


def _answer_set(view: AssignmentView, loaded: store.LoadedAnswers) -> AnswerSetOut:
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
    settings: Settings, session: Session, view: AssignmentView, who: Caller, at: datetime
) -> str | None:
    """The agency's own reference for the child, if the register holds one (an audited reveal)."""
    try:
        data = reveal_identity(
            session=session,
            case_ref=view.case_ref,
            cipher=load_cipher(settings),
            actor=who.actor,
            reason=f"api: assignment {view.assignment.id}",
            now=at,
        )
    except (NotFoundError, ConfigurationError):
        return None
    return data.references.get(view.agency.code)


def _commit(session: Session, who: Caller, at: datetime) -> None:
    """End the request's one transaction, with the note of the key's use."""
    who.note_use(session, at)
    session.commit()


def _lanes(request: Request, engine: Engine) -> anyio.CapacityLimiter:
    """How many of this app's requests do database work at once: within the engine's pool,
    less the connection the key read holds, so that no request opens a connection of its own
    only to close it (a new PostgreSQL backend each time); the rest wait on the event loop."""
    loop = asyncio.get_running_loop()
    held: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = getattr(
        request.app.state, "lanes", None
    )
    if held is None or held[0] is not loop:  # one per event loop (tests start several)
        size = getattr(engine.pool, "size", lambda: DEFAULT_LANES + 1)()
        held = (loop, anyio.CapacityLimiter(max(1, size - 1)))
        request.app.state.lanes = held
    return held[1]


async def _in_session(
    request: Request,
    key: PresentedKey,
    at: datetime,
    work: Callable[[Session, Caller], T],
    assignment_id: int | None = None,
) -> T:
    """Run the request's database work, its key's lookup first (with the assignment it names),
    in one worker thread and one session."""
    engine: Engine = request.app.state.engine
    keys = key_reader(request)

    def run(bind: Engine) -> T:
        with Session(bind, expire_on_commit=False) as session:
            who = identify(session=session, keys=keys, key=key, at=at, assignment_id=assignment_id)
            return work(session, who)

    if engine.dialect.name == "sqlite":
        # In the process, SQLite's work waits on no network: on the event loop it costs no
        # hop to a thread and back, nor the GIL's hand-overs (a third of a request's CPU),
        # unless it would wait for another writer.
        try:
            return run(request.app.state.at_once)
        except WriterBusyError:
            pass
    return await anyio.to_thread.run_sync(run, engine, limiter=_lanes(request, engine))


def _change(
    session: Session,
    who: Caller,
    at: datetime,
    view: AssignmentView,
    change: Callable[..., store.LoadedAnswers],
    **fields: object,
) -> AnswersOut:
    """Change the answers as the API caller and commit; a conflict is undone and answered 409.
    The response is what the change wrote, with nothing read back."""
    try:
        loaded = change(
            session=session, view=view, person_id=None, actor=who.actor, now=at, **fields
        )
    except ConflictError as error:
        session.rollback()
        raise HTTPException(status_code=409, detail=str(error)) from None
    _commit(session, who, at)
    return AnswersOut(assignment=_summary(view), answers=_answer_set(view, loaded))


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
    _commit(session, who, at)


@router.get("/assignments", response_model=AssignmentList, responses={401: ERRORS[401]})
async def list_assignments(
    request: Request, at: At, key: Key, round_id: RoundFilter = None
) -> AssignmentList:
    """The agency's assignments in the rounds it takes part in, with their statuses."""

    def work(session: Session, who: Caller) -> AssignmentList:
        views = agency_assignments(session=session, agency_id=who.agency_id)
        views = [v for v in views if round_id is None or v.round.id == round_id]
        _read(session, who, "api.assignments_listed", "agency", who.agency_id, at)
        return AssignmentList(agency=who.agency_code, assignments=[_summary(v) for v in views])

    return await _in_session(request, key, at, work)


@router.get("/assignments/{assignment_id}", response_model=AssignmentDetail, responses=ERRORS)
async def get_assignment(
    request: Request, assignment_id: AssignmentId, at: At, key: Key
) -> AssignmentDetail:
    """One assignment: the frozen tool version's questions and the answers saved so far."""
    settings: Settings = request.app.state.settings

    def work(session: Session, who: Caller) -> AssignmentDetail:
        view = _view(session, who, assignment_id)
        tool = view.tool()
        detail = AssignmentDetail(
            **_summary(view).model_dump(),
            agency_reference=_reference(settings, session, view, who, at),
            tool=ToolOut(name=tool.name, version=view.tool_version.version, title=tool.title),
            questions=questions_out(tool, view.agency.code),
            answers=_answer_set(view, store.load_answers(session=session, view=view)),
        )
        _read(session, who, "api.assignment_viewed", "assignment", assignment_id, at)
        return detail

    return await _in_session(request, key, at, work, assignment_id)


@router.put(
    "/assignments/{assignment_id}/answers", response_model=AnswersOut, responses=CHANGE_ERRORS
)
async def save_answers(
    request: Request, assignment_id: AssignmentId, body: AnswersIn, at: At, key: Key
) -> AnswersOut:
    """Save draft answers (replacing the draft's); any invalid answer saves nothing (422)."""

    def work(session: Session, who: Caller) -> AnswersOut:
        view = _view(session, who, assignment_id)
        questions = view.questions()
        values = check_json_answers(questions, body.answers, complete=False)
        return _change(session, who, at, view, store.save_draft, questions=questions, values=values)

    return await _in_session(request, key, at, work, assignment_id)


@router.post(
    "/assignments/{assignment_id}/submit", response_model=AnswersOut, responses=CHANGE_ERRORS
)
async def submit_answers(
    request: Request,
    assignment_id: AssignmentId,
    at: At,
    key: Key,
    body: Annotated[SubmitIn | None, Body()] = None,
) -> AnswersOut:
    """Submit these complete answers, or the saved draft when the body has none."""

    def work(session: Session, who: Caller) -> AnswersOut:
        view = _view(session, who, assignment_id)
        questions = view.questions()
        sent: dict[str, AnswerIn] = (
            dict(answers_out(store.load_answers(session=session, view=view).values))
            if body is None or body.answers is None
            else body.answers
        )
        values = check_json_answers(questions, sent, complete=True)
        return _change(session, who, at, view, store.submit, questions=questions, values=values)

    return await _in_session(request, key, at, work, assignment_id)


@router.post(
    "/assignments/{assignment_id}/amend", response_model=AnswersOut, responses=CHANGE_ERRORS
)
async def amend_answers(
    request: Request, assignment_id: AssignmentId, at: At, key: Key
) -> AnswersOut:
    """Reopen submitted answers as a new draft version (until collection closes)."""

    def work(session: Session, who: Caller) -> AnswersOut:
        view = _view(session, who, assignment_id)
        return _change(session, who, at, view, store.amend, questions=view.questions())

    return await _in_session(request, key, at, work, assignment_id)
