"""Change forms for a running round: validate, confirm the destructive ones, apply, redirect."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_changes import CHANGES
from agencies.portal.coordinator_forms import (
    Change,
    ChangeRequest,
    FieldError,
    readable,
)
from agencies.portal.coordinator_views import page, round_or_404
from agencies.portal.security import CSRF_FIELD
from models.errors import InputError, JointauditError

router = APIRouter(prefix="/coordinator")


def _change(slug: str) -> Change:
    change = CHANGES.get(slug)
    if change is None:
        raise not_found()
    return change


def _form_page(
    request: Request,
    session: Session,
    round_id: int,
    change: Change,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    fields = change.fields(session, round_id)
    return page(
        request,
        "change.html",
        status_code=status_code,
        round=round_or_404(session=session, round_id=round_id),
        change=change,
        fields=fields,
        targets={f.name: f.target for f in fields},
        values=values or {},
        errors=errors or {},
    )


@router.get("/rounds/{round_id}/changes/{slug}", response_class=HTMLResponse)
def change_form(
    request: Request,
    _coordinator: Coordinator,
    round_id: int,
    slug: str,
    session: SessionDep,
) -> HTMLResponse:
    """The form of one change to the round."""
    return _form_page(request, session, round_id, _change(slug))


@router.post("/rounds/{round_id}/changes/{slug}", response_model=None)
async def make_change(
    request: Request,
    who: Coordinator,
    round_id: int,
    slug: str,
    session: SessionDep,
    at: Now,
) -> Response:
    """Apply a change (after its confirmation step when destructive), then back to the round."""
    change = _change(slug)
    round_ = round_or_404(session=session, round_id=round_id)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k not in (CSRF_FIELD, "confirmed")}
    change_request = ChangeRequest(
        session=session,
        round_id=round_id,
        actor=actor(who),
        now=at,
        settings=request.app.state.settings,
        form=values,
    )
    confirming = change.confirm is not None and form.get("confirmed") != "yes"
    try:
        action = change.parse(change_request)
        if not confirming:
            action()
    except JointauditError as error:
        session.rollback()
        fields = change.fields(session, round_id)
        name = error.name if isinstance(error, FieldError) else (fields[0].name if fields else "")
        status = 400 if isinstance(error, InputError) else 409
        errors = {name or "change": readable(error)}
        return _form_page(
            request, session, round_id, change, values=values, errors=errors, status_code=status
        )
    if confirming:
        labels = _chosen_labels(change, session, round_id, values)
        return page(
            request, "confirm.html", round=round_, change=change, values=values, labels=labels
        )
    session.commit()
    return RedirectResponse(f"/coordinator/rounds/{round_id}?changed={slug}", status_code=303)


def _chosen_labels(
    change: Change, session: Session, round_id: int, values: dict[str, str]
) -> list[tuple[str, str]]:
    """What the confirmation page repeats back: each field's label and the chosen value."""
    shown = []
    for field in change.fields(session, round_id):
        value = values.get(field.name, "")
        shown.append((field.label, dict(field.options).get(value, value)))
    return shown
