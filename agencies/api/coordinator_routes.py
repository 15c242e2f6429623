"""The coordinator API's endpoints: the rounds, their progress and findings; launching one."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi import Path as PathParam

from agencies.api.coordinator_auth import CoordinatorCaller, coordinator_caller
from agencies.api.schemas import (
    AgencyProgressOut,
    DryRunOut,
    LaunchIn,
    LaunchOut,
    Problem,
    RoundDetailOut,
    RoundList,
    RoundOut,
    ValidationProblem,
)
from agencies.deps import Now, SessionDep
from flows.reconcile.findings import Findings
from flows.reconcile.run import latest_findings
from flows.rounds.launch import launch_round, plan_launch
from flows.rounds.views import RoundSummary, get_round, list_rounds, round_detail
from models.audit_log import record_event
from models.errors import ConflictError, ImportFileError, InputError, NotFoundError
from models.errors import Problem as FileProblem
from models.round import MemberStatus, RoundStatus

RoundPath = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="The round's id")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No API key, or not a live coordinator's key"},
    404: {"model": Problem, "description": "No such round, or not a coordinator's key"},
}

router = APIRouter(tags=["coordinator"])
Caller = Annotated[CoordinatorCaller, Depends(coordinator_caller)]


def _read(
    session: SessionDep, who: CoordinatorCaller, action: str, round_id: int | None, at: Now
) -> None:
    record_event(
        session=session,
        actor=who.actor,
        action=action,
        entity_type="round",
        entity_id=round_id,
        now=at,
    )
    session.commit()


def _round_out(summary: RoundSummary) -> dict[str, Any]:
    return {
        "id": summary.round_id,
        "title": summary.title,
        "status": RoundStatus(summary.status),
        "tool": summary.tool,
        "due_date": summary.due_date,
        "cases": summary.cases,
        "agencies": summary.agencies,
        "answered": summary.answered,
        "assignments": summary.assignment_count,
        "baseline_round_id": summary.baseline_round_id,
    }


def _existing(session: SessionDep, round_id: int) -> None:
    try:
        get_round(session=session, round_id=round_id)
    except NotFoundError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None


@router.get("/rounds", response_model=RoundList, responses=ERRORS)
def rounds(session: SessionDep, at: Now, who: Caller) -> RoundList:
    """Every round, newest first, with how many of its assignments are answered."""
    listed = [RoundOut(**_round_out(summary)) for summary in list_rounds(session=session)]
    _read(session, who, "api.rounds_listed", None, at)
    return RoundList(rounds=listed)


@router.get("/rounds/{round_id}", response_model=RoundDetailOut, responses=ERRORS)
def round_progress(
    round_id: RoundPath, session: SessionDep, at: Now, who: Caller
) -> RoundDetailOut:
    """One round: each agency's progress (submitted, in progress, not started, not known,
    overdue), by agency name."""
    _existing(session, round_id)
    detail = round_detail(session=session, round_id=round_id, now=at)
    progress = [
        AgencyProgressOut(
            agency=p.name,
            status=MemberStatus(p.status),
            due_date=p.due_date,
            submitted=p.submitted,
            in_progress=p.in_progress,
            not_started=p.not_started,
            not_known=p.not_known,
            overdue=p.overdue,
        )
        for p in sorted(detail.progress, key=lambda p: p.name)
    ]
    _read(session, who, "api.round_viewed", round_id, at)
    return RoundDetailOut(**_round_out(detail), tool_version=detail.tool_version, progress=progress)


@router.get("/rounds/{round_id}/findings", response_model=Findings, responses=ERRORS)
def findings(round_id: RoundPath, session: SessionDep, at: Now, who: Caller) -> Findings:
    """The round's latest findings: the document `jointaudit round findings --json` prints
    (docs/findings.md); 404 until the round has been reconciled."""
    _existing(session, round_id)
    try:
        found = latest_findings(session=session, round_id=round_id)
    except NotFoundError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    _read(session, who, "api.findings_viewed", round_id, at)
    return found


LAUNCH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: ERRORS[401],
    404: {"model": Problem, "description": "Not a coordinator's key"},
    409: {"model": Problem, "description": "The launch conflicts with the partnership's state"},
    422: {"model": ValidationProblem, "description": "Parameters that cannot be launched"},
}
NEEDS_KEY = "a launch needs an idempotency_key, so that sending it twice launches once"


def _unlaunchable(session: SessionDep, error: Exception) -> HTTPException:
    """What the CLI would have said, as the API says it (nothing was written)."""
    session.rollback()
    if isinstance(error, ConflictError):
        return HTTPException(status_code=409, detail=str(error))
    if isinstance(error, ImportFileError):  # named cases: one problem per listed reference
        return HTTPException(status_code=422, detail=[_located(p) for p in error.problems])
    problem = {"loc": ["body"], "msg": str(error), "type": "launch"}
    return HTTPException(status_code=422, detail=[problem])


def _located(problem: FileProblem) -> dict[str, Any]:
    """A named case's problem at its place in `case_refs` (its line in the CLI's list)."""
    line = problem.where.removeprefix("line ")
    loc: list[str | int] = ["body", "case_refs", int(line) - 1] if line.isdigit() else ["body"]
    return {"loc": loc, "msg": problem.message, "type": "launch"}


@router.post(
    "/rounds",
    response_model=LaunchOut | DryRunOut,
    responses={201: {"model": LaunchOut, "description": "The round was launched"}, **LAUNCH_ERRORS},
)
def launch(
    body: LaunchIn,
    request: Request,
    response: Response,
    session: SessionDep,
    at: Now,
    who: Caller,
) -> LaunchOut | DryRunOut:
    """Check the selection (`dry_run`: the CLI's `round launch --dry-run --json`), or launch the
    round with an idempotency key: the same key launches once (201, then 200 with
    `created` false); the seed of a dry run launches exactly the cases it showed."""
    params = body.parameters()
    seed = params.seed if params.seed is not None else secrets.randbelow(10**9)
    settings = request.app.state.settings
    cases = "\n".join(body.case_refs)
    try:
        if params.baseline_round_id is not None:
            get_round(session=session, round_id=params.baseline_round_id)
        if body.dry_run:
            plan = plan_launch(
                session=session,
                params=params,
                seed=seed,
                now=at,
                settings=settings,
                case_list=cases,
            )
            refs = sorted(p.case_ref for p in plan.selection.picks)
            return DryRunOut(seed=seed, case_refs=refs, selection=plan.explanation())
        if not params.idempotency_key:
            raise InputError(NEEDS_KEY)
        result = launch_round(
            session=session,
            params=params,
            seed=seed,
            idempotency_key=params.idempotency_key,
            now=at,
            actor=who.actor,
            settings=settings,
            case_list=cases,
        )
    except (InputError, NotFoundError, ConflictError) as error:
        raise _unlaunchable(session, error) from None
    session.commit()
    response.status_code = 201 if result.created else 200
    return LaunchOut(
        round_id=result.round_id,
        seed=result.seed,
        case_refs=result.case_refs,
        selection=result.explanation,
        created=result.created,
        invitations=result.invitations,
    )
