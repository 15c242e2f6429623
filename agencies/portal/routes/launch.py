"""Launching a round from the browser: the form, "Check the selection" (a dry run) and "Launch".

Both call what `jointaudit round launch` calls (plan_launch, then launch_round) in the request:
the Prefect flow is for the command line and deployments.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import page
from agencies.portal.launch_forms import (
    ATTRIBUTE_LABELS,
    CHASE_FIELDS,
    FormData,
    LaunchForm,
    first,
    labelled,
    mint,
    read_launch_form,
    target,
)
from agencies.portal.tool_preview import render_preview
from flows.rounds.launch import LaunchPlan, launch_round, plan_launch
from flows.rounds.launch_options import launch_options
from flows.rounds.named import NAMED_RESPONSE_DAYS, numbered_refs
from models.calendar import WorkingDayCalendar, london_date
from models.errors import ImportFileError, JointauditError, NotFoundError
from models.questionnaire.catalog import load_tool
from models.settings import Settings

router = APIRouter(prefix="/coordinator")
TOO_FEW = "not enough eligible cases"


async def posted(request: Request) -> dict[str, list[str]]:
    """The posted form as lists of strings; an uploaded list of cases joins the pasted one."""
    data: dict[str, list[str]] = {}
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, str):
                data.setdefault(name, []).append(value)
            elif name == "case_file":
                text = (await value.read()).decode("utf-8-sig", errors="replace")
                if text.strip():
                    data.setdefault("case_list", []).append(text)
    data.pop("csrf_token", None)
    return data


def plan_errors(error: JointauditError) -> dict[str, str]:
    """A plan's error on the field it concerns (each named case's problem on its own line)."""
    if isinstance(error, ImportFileError):
        return {
            f"case_list-{n}": f"{p.where.capitalize()} of the list of cases: {p.message}"
            for n, p in enumerate(error.problems)
        }
    text = readable(error)
    if isinstance(error, NotFoundError) and "tool" in text:
        return {"tool": text}
    if "agenc" in text.split(":")[0]:
        return {"agencies": text}
    return {"sample_size": text}


def form_page(
    request: Request,
    session: Session,
    values: FormData,
    *,
    named: bool,
    errors: dict[str, str] | None = None,
    fewer: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The launch form, filled with `values`."""
    settings: Settings = request.app.state.settings
    options = launch_options(session=session, settings=settings)
    quota_by = first(values, "quota_by") if first(values, "balance") == "quotas" else ""
    errors = errors or {}
    return page(
        request,
        "launch.html",
        status_code=status_code,
        options=options,
        labelled=labelled(options),
        values=values,
        named=named,
        errors=errors,
        targets={name: target(name.split("-")[0]) for name in errors},
        attributes=ATTRIBUTE_LABELS,
        chase_fields=CHASE_FIELDS,
        defaults={
            "reminder_days_before_due": settings.chase_reminder_days_before_due,
            "overdue_repeat_every": settings.chase_overdue_repeat_every,
            "escalate_after_days_overdue": settings.chase_escalate_after_days_overdue,
            "reconcile_grace_days": settings.reconcile_grace_days,
        },
        quota_rows=options.values.get(quota_by, []),
        quota_by=quota_by,
        fewer=fewer,
    )


def check_page(
    request: Request,
    plan: LaunchPlan,
    values: FormData,
    *,
    action: str,
    change_action: str = "",
    baseline: Any = None,
) -> HTMLResponse:
    """The dry run: the funnel, the strata, the seed and the cases, with a Launch button."""
    return page(
        request,
        "check.html",
        plan=plan,
        explanation=plan.explanation(),
        refs=sorted(p.case_ref for p in plan.selection.picks),
        hidden=[(name, value) for name, items in values.items() for value in items],
        action=action,
        change_action=change_action,
        baseline=baseline,
        attributes=ATTRIBUTE_LABELS,
    )


def _defaults(named: bool, at: Any, settings: Settings) -> dict[str, list[str]]:
    seed, key = mint()
    values = {"seed": [seed], "key": [key], "mode": ["named" if named else "criteria"]}
    if named:
        calendar = WorkingDayCalendar.with_closures(settings.closure_days)
        due = calendar.add_working_days(london_date(at), NAMED_RESPONSE_DAYS)
        values.update({"due-day": [str(due.day)], "due-month": [str(due.month)]})
        values["due-year"] = [str(due.year)]
    return values


@router.get("/rounds/new", response_class=HTMLResponse)
def new_round(request: Request, _c: Coordinator, session: SessionDep, at: Now) -> HTMLResponse:
    """The launch form: a fresh seed and idempotency key are minted with it."""
    return form_page(
        request, session, _defaults(False, at, request.app.state.settings), named=False
    )


@router.get("/rounds/new/named", response_class=HTMLResponse)
def new_named_round(
    request: Request, _c: Coordinator, session: SessionDep, at: Now
) -> HTMLResponse:
    """The launch form for named cases (inspection mode): due in 5 working days by default."""
    return form_page(request, session, _defaults(True, at, request.app.state.settings), named=True)


def _read(request: Request, session: Session, values: FormData, at: Any) -> LaunchForm:
    settings: Settings = request.app.state.settings
    options = launch_options(session=session, settings=settings)
    return read_launch_form(values, options=options, now=at, settings=settings)


@router.post("/rounds/new", response_class=HTMLResponse)
async def check_selection(
    request: Request, _c: Coordinator, session: SessionDep, at: Now
) -> HTMLResponse:
    """Check the selection (a dry run that writes nothing), or redraw the form ("Show")."""
    values = await posted(request)
    found = _read(request, session, values, at)
    if first(values, "action") == "show":
        return form_page(request, session, values, named=found.named)
    if found.params is None:
        return form_page(
            request, session, values, named=found.named, errors=found.errors, status_code=400
        )
    settings: Settings = request.app.state.settings
    try:
        plan = plan_launch(
            session=session,
            params=found.params,
            seed=found.seed,
            now=at,
            settings=settings,
            case_list=found.case_list,
        )
    except JointauditError as error:
        fewer = ""
        if str(error).startswith(TOO_FEW):
            fewer = _how_many(session, found, at, settings)
        return form_page(
            request,
            session,
            values,
            named=found.named,
            errors=plan_errors(error) if not fewer else {"sample_size": fewer},
            fewer=fewer,
            status_code=400,
        )
    if found.named:  # one hidden field per reference: no newline inside an attribute
        values = {**values, "case_list": [ref for _, ref in numbered_refs(found.case_list)]}
    return check_page(request, plan, values, action="/coordinator/rounds/new/launch")


def _how_many(session: Session, found: LaunchForm, at: Any, settings: Settings) -> str:
    """Too few eligible cases: how many there are, to offer launching with fewer."""
    assert found.params is not None
    fewer = found.params.model_copy(update={"allow_fewer": True})
    try:
        plan = plan_launch(
            session=session, params=fewer, seed=found.seed, now=at, settings=settings
        )
    except JointauditError:
        return "There are no eligible cases: widen the selection criteria"
    short = [s for s in plan.selection.strata if s.picked < s.wanted]
    detail = "; ".join(f"{s.stratum}: {s.eligible} eligible, {s.wanted} wanted" for s in short)
    return (
        f"Only {len(plan.selection.picks)} of the {found.params.sample_size} cases wanted can be "
        f"chosen ({detail}): widen the criteria, lower the sample size, or launch with fewer"
    )


@router.post("/rounds/new/launch", response_model=None)
async def launch(request: Request, who: Coordinator, session: SessionDep, at: Now) -> Response:
    """Launch exactly what was checked: the same parameters, seed and idempotency key."""
    values = await posted(request)
    found = _read(request, session, values, at)
    if found.params is None:
        return form_page(
            request, session, values, named=found.named, errors=found.errors, status_code=400
        )
    try:
        result = launch_round(
            session=session,
            params=found.params,
            seed=found.seed,
            idempotency_key=found.key,
            now=at,
            actor=actor(who),
            settings=request.app.state.settings,
            case_list=found.case_list,
        )
    except JointauditError as error:
        session.rollback()
        return form_page(
            request,
            session,
            values,
            named=found.named,
            errors=plan_errors(error),
            status_code=400,
        )
    session.commit()
    return RedirectResponse(f"/coordinator/rounds/{result.round_id}?launched=1", status_code=303)


@router.get("/tools/{name}", response_class=HTMLResponse)
def tool_preview(request: Request, _c: Coordinator, name: str) -> HTMLResponse:
    """A tool as agency leads will see it, every question with its scoring."""
    try:
        tool = load_tool(name, request.app.state.settings.tool_dirs)
    except NotFoundError:
        raise not_found() from None
    stylesheet = request.app.state.assets.get("stylesheet")
    return HTMLResponse(render_preview(tool, stylesheet=stylesheet))
