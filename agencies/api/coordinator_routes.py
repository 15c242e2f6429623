"""The coordinator API's endpoints: the rounds with their progress, and a round's findings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from agencies.api.coordinator_auth import CoordinatorCaller, coordinator_caller
from agencies.api.schemas import (
    AgencyProgressOut,
    Problem,
    RoundDetailOut,
    RoundList,
    RoundOut,
)
from agencies.deps import Now, SessionDep
from flows.reconcile.findings import Findings
from flows.reconcile.run import latest_findings
from flows.rounds.views import RoundSummary, get_round, list_rounds, round_detail
from models.audit_log import record_event
from models.errors import NotFoundError
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
