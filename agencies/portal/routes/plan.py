"""The coordinator's action-plan pages: draft from the findings, edit, add, merge, approve."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.pages import render
from agencies.portal.plan_forms import (
    STATUS_LABELS,
    ActionForm,
    approval_errors,
    ids,
    read_action_form,
    text,
)
from flows.action_plan.draft import draft_action_plan
from flows.action_plan.manage import (
    ActionView,
    add_action,
    approve_plan,
    edit_action,
    list_actions,
    merge_actions,
)
from flows.rounds.views import get_round
from models.action import ActionStatus
from models.agency import Agency
from models.errors import InputError, JointauditError, NotFoundError
from models.round import AuditRound

router = APIRouter(prefix="/coordinator/rounds/{round_id}/plan")

NOTICES = {
    "drafted": "Candidate actions were drafted from the findings.",
    "merged": "The actions were merged.",
    "approved": "The plan was approved. Lead agencies can now update their actions.",
    "saved": "The action was saved.",
}


def sentence(message: str) -> str:
    """A domain error's message as a sentence for an error summary."""
    return message[:1].upper() + message[1:]


def _round(session: Session, round_id: int) -> AuditRound:
    try:
        return get_round(session=session, round_id=round_id)
    except NotFoundError:
        raise not_found() from None


def _agency_codes(session: Session) -> list[tuple[str, str]]:
    rows = session.exec(select(Agency).where(col(Agency.active)).order_by(col(Agency.code)))
    return [(a.code, a.name) for a in rows]


def _action(session: Session, round_id: int, action_id: int) -> ActionView:
    for action in list_actions(session=session, round_id=round_id):
        if action.id == action_id:
            return action
    raise not_found()


def _plan_page(
    request: Request,
    session: Session,
    round_: AuditRound,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    what: str = "",
) -> HTMLResponse:
    actions = list_actions(session=session, round_id=round_.id or 0)
    return render(
        request,
        "views/plan/plan.html",
        status_code=status_code,
        round=round_,
        actions=actions,
        drafts=[a for a in actions if a.status == ActionStatus.draft],
        errors=errors or {},
        notice=NOTICES.get(request.query_params.get("done", "")),
        labels=STATUS_LABELS,
        what=what,
    )


def _refused(
    request: Request, session: Session, round_: AuditRound, error: JointauditError
) -> HTMLResponse:
    """The plan page with a domain error as its error summary (nothing was changed)."""
    session.rollback()
    code = 400 if isinstance(error, InputError) else 409
    return _plan_page(
        request, session, round_, errors={"plan": sentence(str(error))}, status_code=code
    )


def _done(round_id: int, what: str) -> RedirectResponse:
    return RedirectResponse(f"/coordinator/rounds/{round_id}/plan?done={what}", status_code=303)


def _change(
    request: Request, session: Session, round_: AuditRound, what: str, change: Callable[[], object]
) -> Response:
    """Run one plan change: committed and back to the plan, or refused with nothing changed."""
    try:
        change()
    except JointauditError as error:
        return _refused(request, session, round_, error)
    session.commit()
    return _done(round_.id or 0, what)


@router.get("", response_class=HTMLResponse)
def plan_page(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    session: SessionDep,
) -> HTMLResponse:
    """The round's actions, and the forms to draft, add, merge and approve."""
    return _plan_page(request, session, _round(session, round_id))


@router.post("/draft", response_model=None)
def draft(
    request: Request,
    who: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Add every candidate action the findings suggest and the plan does not hold yet."""
    round_ = _round(session, round_id)
    actor_name = actor(who)
    run = partial(draft_action_plan, session=session, round_id=round_id, now=at, actor=actor_name)
    return _change(request, session, round_, "drafted", run)


@router.post("/actions", response_model=None)
async def add(
    request: Request,
    who: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """The coordinator's own action; its other fields are filled on its edit page."""
    round_ = _round(session, round_id)
    what = text(await request.form(), "what")
    problem = "Enter what the action is" if not what else None
    if len(what) > 2000:
        problem = "What must be 2000 characters or fewer"
    if problem:
        return _plan_page(
            request, session, round_, errors={"new-what": problem}, status_code=400, what=what
        )
    action_id = add_action(session=session, round_id=round_id, what=what, now=at, actor=actor(who))
    session.commit()
    return RedirectResponse(
        f"/coordinator/rounds/{round_id}/plan/actions/{action_id}", status_code=303
    )


def _edit_page(
    request: Request,
    session: Session,
    round_: AuditRound,
    action: ActionView,
    values: ActionForm,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "views/plan/edit.html",
        status_code=status_code,
        round=round_,
        action=action,
        values=values,
        agencies=_agency_codes(session),
        errors=errors if errors is not None else values.errors,
        labels=STATUS_LABELS,
    )


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def edit_page(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    action_id: int,
    session: SessionDep,
) -> HTMLResponse:
    """One action's what, how, lead agency, date and success measure, to change."""
    round_ = _round(session, round_id)
    action = _action(session, round_id, action_id)
    return _edit_page(request, session, round_, action, ActionForm.of(action))


@router.post("/actions/{action_id}", response_model=None)
async def edit(
    request: Request,
    who: Coordinator,
    round_id: int,
    action_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Save the action's fields (a blank date or lead agency empties it)."""
    round_ = _round(session, round_id)
    action = _action(session, round_id, action_id)
    values = read_action_form(await request.form(), [c for c, _ in _agency_codes(session)])
    if values.errors:
        return _edit_page(request, session, round_, action, values, status_code=400)
    try:
        edit_action(
            session=session,
            action_id=action_id,
            now=at,
            actor=actor(who),
            what=values.what,
            how=values.how,
            owner=values.owner or None,
            due_date=values.due_date,
            success_measure=values.success_measure,
            clear_owner=not values.owner,
            clear_due_date=values.due_date is None,
        )
    except JointauditError as error:
        session.rollback()
        problem = {"action-form": sentence(str(error))}
        return _edit_page(request, session, round_, action, values, errors=problem, status_code=409)
    session.commit()
    return _done(round_id, "saved")


@router.post("/merge", response_model=None)
async def merge(
    request: Request,
    who: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Fold the chosen draft actions into the one kept."""
    round_ = _round(session, round_id)
    form = await request.form()
    keep = ids(form, "keep_id")
    others = [i for i in ids(form, "merge_ids") if i not in keep]
    errors = {}
    if not keep:
        errors["keep_id"] = "Select the action to keep"
    if not others:
        errors["merge_ids"] = "Select the actions to merge into the one kept"
    if errors:
        return _plan_page(request, session, round_, errors=errors, status_code=400)
    for action_id in [*keep, *others]:
        _action(session, round_id, action_id)
    actor_name = actor(who)
    run = partial(
        merge_actions, session=session, keep_id=keep[0], merge_ids=others, now=at, actor=actor_name
    )
    return _change(request, session, round_, "merged", run)


@router.post("/approve", response_model=None)
def approve(
    request: Request,
    who: Coordinator,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """Approve the plan; refused, naming each action, while any lacks a part."""
    round_ = _round(session, round_id)
    try:
        approve_plan(session=session, round_id=round_id, now=at, actor=actor(who))
    except InputError as error:
        session.rollback()
        errors = approval_errors(list_actions(session=session, round_id=round_id))
        return _plan_page(
            request,
            session,
            round_,
            errors=errors or {"plan": sentence(str(error))},
            status_code=400,
        )
    except JointauditError as error:
        return _refused(request, session, round_, error)
    session.commit()
    return _done(round_id, "approved")
