"""Re-audit "using the same parameters" from a round page, and the round's calendar file."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from agencies.deps import Coordinator, Now, SessionDep, actor
from agencies.portal.coordinator_views import page, round_or_404
from agencies.portal.forms import read_date
from agencies.portal.launch_forms import FormData, due_date_problem, first, mint
from agencies.portal.routes.launch import check_page, plan_errors, posted
from flows.rounds.calendar_file import round_calendar
from flows.rounds.launch import launch_round, plan_launch
from flows.rounds.reaudit import reaudit_parameters
from models.agency import Agency
from models.errors import JointauditError
from models.round import AuditRound
from models.round_parameters import LaunchParameters
from models.settings import Settings
from models.tool_version import ToolVersion

router = APIRouter(prefix="/coordinator")


def _page(
    request: Request,
    session: Session,
    round_: AuditRound,
    values: FormData,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    baseline = LaunchParameters.model_validate(round_.parameters)
    names = dict(session.exec(select(Agency.code, Agency.name)).all())
    return page(
        request,
        "reaudit.html",
        status_code=status_code,
        round=round_,
        baseline=baseline,
        tool=session.get(ToolVersion, round_.tool_version_id),
        agency_names=[names.get(code, code) for code in baseline.agencies],
        values=values,
        errors=errors or {},
        targets={"due": "due-day"},
    )


def _params(
    session: Session, round_: AuditRound, values: FormData, at: datetime, settings: Settings
) -> tuple[LaunchParameters | None, int, str, dict[str, str]]:
    """The re-audit's parameters from the form, or its problems by field."""
    seed_text, key = first(values, "seed"), first(values, "key")
    if not seed_text.isdigit() or not key:
        seed_text, key = mint()
    named = bool((round_.parameters or {}).get("named_cases"))
    same_cases = named or first(values, "same_cases") == "yes"
    due, problem = read_date(
        *(first(values, f"due-{part}") for part in ("day", "month", "year")),
        incomplete="Enter the re-audit's due date, including a day, month and year",
        invalid="The due date must be a real date",
    )
    if due is None:
        return None, int(seed_text), key, {"due": problem or "Enter the due date"}
    params = reaudit_parameters(
        session=session,
        baseline_id=round_.id or 0,
        due=due,
        seed=int(seed_text),
        same_cases=same_cases,
        same_tool_version=first(values, "same_tool_version") == "yes",
        title=first(values, "title") or None,
    ).model_copy(update={"idempotency_key": key})
    problem = due_date_problem(params, now=at, settings=settings)
    if problem:
        return None, int(seed_text), key, {"due": problem}
    return params, int(seed_text), key, {}


@router.get("/rounds/{round_id}/reaudit", response_class=HTMLResponse)
def reaudit_form(
    request: Request, _c: Coordinator, round_id: int, session: SessionDep
) -> HTMLResponse:
    """The re-audit form: a due date, the same cases or not, the same tool version or not."""
    round_ = round_or_404(session=session, round_id=round_id)
    seed, key = mint()
    return _page(request, session, round_, {"seed": [seed], "key": [key]})


@router.post("/rounds/{round_id}/reaudit", response_class=HTMLResponse)
async def check_reaudit(
    request: Request, _c: Coordinator, round_id: int, session: SessionDep, at: Now
) -> HTMLResponse:
    """What the re-audit will repeat, checked as a dry run; or the form again ("Change")."""
    round_ = round_or_404(session=session, round_id=round_id)
    values = await posted(request)
    if first(values, "action") == "show":
        return _page(request, session, round_, values)
    settings: Settings = request.app.state.settings
    params, seed, _key, errors = _params(session, round_, values, at, settings)
    if params is None:
        return _page(request, session, round_, values, errors=errors, status_code=400)
    try:
        plan = plan_launch(session=session, params=params, seed=seed, now=at, settings=settings)
    except JointauditError as error:
        return _page(request, session, round_, values, errors=plan_errors(error), status_code=400)
    return check_page(
        request,
        plan,
        values,
        action=f"/coordinator/rounds/{round_id}/reaudit/launch",
        change_action=f"/coordinator/rounds/{round_id}/reaudit",
        baseline=round_,
    )


@router.post("/rounds/{round_id}/reaudit/launch", response_model=None)
async def launch_reaudit(
    request: Request, who: Coordinator, round_id: int, session: SessionDep, at: Now
) -> Response:
    """Launch the checked re-audit (once, however often the button is pressed)."""
    round_ = round_or_404(session=session, round_id=round_id)
    values = await posted(request)
    settings: Settings = request.app.state.settings
    params, seed, key, errors = _params(session, round_, values, at, settings)
    if params is None:
        return _page(request, session, round_, values, errors=errors, status_code=400)
    try:
        result = launch_round(
            session=session,
            params=params,
            seed=seed,
            idempotency_key=key,
            now=at,
            actor=actor(who),
            settings=settings,
        )
    except JointauditError as error:
        session.rollback()
        return _page(request, session, round_, values, errors=plan_errors(error), status_code=400)
    session.commit()
    return RedirectResponse(f"/coordinator/rounds/{result.round_id}?launched=1", status_code=303)


@router.get("/rounds/{round_id}/calendar.ics", response_model=None)
def calendar_file(
    request: Request, _c: Coordinator, round_id: int, session: SessionDep, at: Now
) -> Response:
    """The round's due dates and moderation meeting, for the coordinator's calendar."""
    round_or_404(session=session, round_id=round_id)
    host = request.url.hostname or "jointaudit"
    text = round_calendar(session=session, round_id=round_id, now=at, host=host)
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}.ics"'},
    )
