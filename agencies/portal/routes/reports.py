"""Board report pages for board readers and coordinators: aggregates only, every view audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, ReportReader, SessionDep, actor, not_found
from agencies.portal.fresh import sign_in_again
from agencies.portal.pages import render
from agencies.portal.report_view import (
    DOWNLOADS,
    portal_report,
    report_body,
    report_file,
    reported_rounds,
)
from agencies.portal.routes.report_edit import router as edit_router
from flows.answers.export import COLUMNS, answer_rows
from flows.report.model import BoardReport
from models.audit_log import record_event
from models.errors import ConfigurationError, NotFoundError
from models.partnership import Person

router = APIRouter(prefix="/reports")
router.include_router(edit_router)


def _report(session: Session, round_id: int, at: datetime) -> BoardReport:
    try:
        return portal_report(session=session, round_id=round_id, today=at.date())
    except NotFoundError:
        raise not_found() from None


def _audit(
    session: Session, who: Person, action: str, round_id: int, at: datetime, **details: str
) -> None:
    record_event(
        session=session,
        actor=actor(who),
        action=action,
        entity_type="round",
        entity_id=round_id,
        now=at,
        details=dict(details),
    )
    session.commit()


@router.get("", response_class=HTMLResponse)
def reports_page(
    request: Request,
    _report_reader: ReportReader,
    session: SessionDep,
) -> HTMLResponse:
    """The rounds that have a board report."""
    return render(request, "views/reports/list.html", rounds=reported_rounds(session=session))


@router.get("/{round_id}", response_class=HTMLResponse)
def report_page(
    request: Request,
    who: ReportReader,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> HTMLResponse:
    """The round's board report inside the portal, with its downloads."""
    report = _report(session, round_id, at)
    _audit(session, who, "report.viewed", round_id, at)
    editable: bool = request.state.coordinator  # found by the session check
    return render(
        request,
        "views/reports/report.html",
        report=report,
        body=report_body(report, editable),
        coordinator=editable,
    )


@router.get("/{round_id}/report.{fmt}", response_model=None)
def download(
    request: Request,
    who: ReportReader,
    round_id: int,
    fmt: str,
    session: SessionDep,
    at: Now,
) -> Response:
    """The same report as a DOCX, PDF or Markdown file."""
    if fmt not in DOWNLOADS:
        raise not_found()
    report = _report(session, round_id, at)
    try:
        content = report_file(report, fmt)
    except ConfigurationError:
        raise HTTPException(status_code=503, detail="unavailable") from None
    _audit(session, who, "report.downloaded", round_id, at, format=fmt)
    name = f"round-{round_id}-board-report.{fmt}"
    return Response(
        content,
        media_type=DOWNLOADS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{round_id}/answers.csv", response_model=None)
def answers_csv(
    request: Request,
    who: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Every agency's submitted answers, pseudonymised: coordinators only, never board readers."""
    if round_id not in {r.id for r in reported_rounds(session=session)}:
        raise not_found()
    again = sign_in_again(
        request, session=session, who=who, at=at, step="answers.export", resume=request.url.path
    )
    if again is not None:
        return again
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in answer_rows(session=session, round_id=round_id))
    _audit(session, who, "answers.exported", round_id, at, format="csv")
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}-answers.csv"'},
    )
