"""Agency leads and deputies update the approved actions their agency leads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Now, SessionDep, SignedIn, not_found, person
from agencies.portal.pages import render
from agencies.portal.plan_forms import STATUS_LABELS, read_update
from agencies.portal.routes.plan import sentence
from flows.action_plan.manage import update_action
from flows.action_plan.owners import OwnedAction, authors, owned_action, owned_actions
from models.errors import JointauditError

router = APIRouter(prefix="/actions")

UPDATE_CHOICES = (
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("done", "Done"),
)


def _mine(session: Session, request: Request, action_id: int) -> tuple[int, OwnedAction]:
    who = person(session, request)
    assert who.id is not None
    found = owned_action(session=session, person_id=who.id, action_id=action_id)
    if found is None:
        raise not_found()
    return who.id, found


@router.get("", response_class=HTMLResponse)
def actions_page(
    request: Request,
    who: SignedIn,
    session: SessionDep,
) -> HTMLResponse:
    """The approved actions the person's agencies lead, with status and latest update."""
    assert who.id is not None
    owned = owned_actions(session=session, person_id=who.id)
    return render(
        request,
        "views/actions/list.html",
        owned=owned,
        labels=STATUS_LABELS,
        names=authors(session=session, owned=owned),
    )


def _action_page(
    request: Request,
    session: Session,
    owned: OwnedAction,
    *,
    errors: dict[str, str] | None = None,
    status: str = "",
    note: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "views/actions/action.html",
        status_code=status_code,
        item=owned,
        labels=STATUS_LABELS,
        choices=UPDATE_CHOICES,
        names=authors(session=session, owned=[owned]),
        errors=errors or {},
        status=status,
        note=note,
        updated=request.query_params.get("updated") == "1",
    )


@router.get("/{action_id}", response_class=HTMLResponse)
def action_page(
    request: Request,
    action_id: int,
    session: SessionDep,
) -> HTMLResponse:
    """One action: what, how, by when, measure, its dated updates and the update form."""
    _, owned = _mine(session, request, action_id)
    return _action_page(request, session, owned)


@router.post("/{action_id}", response_model=None)
async def add_update(
    request: Request,
    action_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """A dated update setting the action on track, at risk or done."""
    person_id, owned = _mine(session, request, action_id)
    status, note, errors = read_update(await request.form())
    if errors or status is None:
        return _action_page(
            request,
            session,
            owned,
            errors=errors,
            status=status.value if status else "",
            note=note,
            status_code=400,
        )
    try:
        update_action(
            session=session,
            action_id=action_id,
            status=status,
            note=note,
            now=at,
            actor=f"person:{person_id}",
        )
    except JointauditError as error:
        session.rollback()
        return _action_page(
            request,
            session,
            owned,
            errors={"status": sentence(str(error))},
            status=status.value,
            note=note,
            status_code=409,
        )
    session.commit()
    return RedirectResponse(f"/actions/{action_id}?updated=1", status_code=303)
