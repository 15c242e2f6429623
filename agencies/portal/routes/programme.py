"""The year's audit programme: its planned rounds, a programme file upload, and "launch now"."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_forms import readable, yaml_too_big
from agencies.portal.coordinator_views import page
from flows.programme.store import launch_planned_round, load_programme, programme_status
from models.errors import ImportFileError, JointauditError, Problem
from models.programme import PlannedRound

router = APIRouter(prefix="/coordinator")
DONE = {
    "loaded": "The programme was loaded: the planned rounds below replace the ones not launched",
    "launched": "The planned round was launched",
}


def _page(
    request: Request,
    session: Session,
    at: datetime,
    *,
    problems: list[Problem] | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    rows = programme_status(session=session, now=at)
    done = DONE.get(request.query_params.get("done", ""))
    errors = {"programme_file": error} if error else {}
    return page(
        request,
        "programme.html",
        status_code=status_code,
        rows=rows,
        launch_days={row.key: date.fromisoformat(row.launch_date) for row in rows},
        problems=problems or [],
        errors=errors,
        done=done,
    )


@router.get("/programme", response_class=HTMLResponse)
def programme(request: Request, _c: Coordinator, session: SessionDep, at: Now) -> HTMLResponse:
    """The year's planned rounds: status, response rates and headlines."""
    return _page(request, session, at)


@router.post("/programme", response_model=None)
async def upload_programme(
    request: Request, who: Coordinator, session: SessionDep, at: Now
) -> Response:
    """Load a programme file: all or nothing, each problem located by line and path."""
    async with request.form() as form:
        upload = form.get("programme_file")
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
    if not data:
        return _page(request, session, at, error="Choose a programme file (YAML)", status_code=400)
    too_big = yaml_too_big(data, request.app.state.settings)
    if too_big:
        return _page(request, session, at, error=too_big, status_code=400)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.yaml"
        path.write_bytes(data)
        try:
            load_programme(
                session=session,
                path=path,
                settings=request.app.state.settings,
                now=at,
                actor=actor(who),
            )
        except ImportFileError as error:
            session.rollback()
            count = len(error.problems)
            noun = "problem" if count == 1 else "problems"
            message = f"The file has {count} {noun}: nothing was loaded"
            return _page(
                request, session, at, problems=error.problems, error=message, status_code=400
            )
        except JointauditError as error:
            session.rollback()
            return _page(request, session, at, error=readable(error), status_code=400)
    session.commit()
    return RedirectResponse("/coordinator/programme?done=loaded", status_code=303)


@router.post("/programme/{key}/launch", response_model=None)
async def launch_now(
    request: Request, who: Coordinator, key: str, session: SessionDep, at: Now
) -> Response:
    """Launch a planned round now, rather than on its launch date."""
    planned = session.exec(select(PlannedRound).where(col(PlannedRound.key) == key)).first()
    if planned is None:
        raise not_found()
    if planned.round_id is not None:
        return RedirectResponse(f"/coordinator/rounds/{planned.round_id}", status_code=303)
    try:
        round_id = launch_planned_round(
            session=session,
            planned=planned,
            now=at,
            settings=request.app.state.settings,
            actor=actor(who),
        )
    except JointauditError as error:
        session.rollback()
        return _page(request, session, at, error=readable(error), status_code=400)
    if round_id is None:
        return _page(
            request,
            session,
            at,
            error="Launch the round this re-audits first: its baseline has not been launched",
            status_code=409,
        )
    session.commit()
    return RedirectResponse(f"/coordinator/rounds/{round_id}?launched=1", status_code=303)
