"""One agency from the partnership page: add it, change its contacts, deactivate it (confirmed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import page
from agencies.portal.partnership_forms import CHANNELS, ROLES, entry_values, read_agency
from agencies.portal.security import CSRF_FIELD
from agencies.registry_edit import add_agency, agency_by_code, change_agency, deactivate_agency
from agencies.registry_export import current_registry
from models.agency import Agency
from models.errors import JointauditError, NotFoundError

router = APIRouter(prefix="/coordinator/partnership")
BACK = "/coordinator/partnership"


def _active(session: Session, code: str) -> Agency:
    try:
        agency = agency_by_code(session=session, code=code)
    except NotFoundError:
        raise not_found() from None
    if not agency.active:
        raise not_found()
    return agency


def _form(
    request: Request,
    *,
    agency: Agency | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "agency_form.html",
        status_code=status_code,
        agency=agency,
        roles=ROLES,
        channels=CHANNELS,
        values=values,
        errors=errors or {},
    )


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if k != CSRF_FIELD}


@router.get("/add-agency", response_class=HTMLResponse)
def add_form(request: Request, _c: Coordinator) -> HTMLResponse:
    """The form for a new agency: its code, name and contacts."""
    return _form(request, agency=None, values={})


@router.post("/add-agency", response_model=None)
async def add(request: Request, who: Coordinator, session: SessionDep, at: Now) -> Response:
    """Add the agency once the whole form is valid."""
    values = await _values(request)
    entry = read_agency(values)
    if isinstance(entry, dict):
        return _form(request, agency=None, values=values, errors=entry, status_code=400)
    try:
        add_agency(session=session, entry=entry, actor=actor(who), now=at)
    except JointauditError as error:
        session.rollback()
        errors = {"code": readable(error)}
        return _form(request, agency=None, values=values, errors=errors, status_code=409)
    session.commit()
    return RedirectResponse(f"{BACK}?done=added&agency={entry.code}", status_code=303)


@router.get("/agencies/{code}", response_class=HTMLResponse)
def change_form(request: Request, _c: Coordinator, code: str, session: SessionDep) -> HTMLResponse:
    """An agency's name and contacts, to change."""
    agency = _active(session, code)
    registry = current_registry(session=session)
    entry = next((a for a in registry.agencies if a.code == code), None) if registry else None
    return _form(request, agency=agency, values=entry_values(entry) if entry else {})


@router.post("/agencies/{code}", response_model=None)
async def change(
    request: Request, who: Coordinator, code: str, session: SessionDep, at: Now
) -> Response:
    """Save the agency's contacts; whoever is replaced loses their access at once."""
    agency = _active(session, code)
    values = await _values(request)
    entry = read_agency(values, code=code)
    if isinstance(entry, dict):
        return _form(request, agency=agency, values=values, errors=entry, status_code=400)
    try:
        changed = change_agency(session=session, entry=entry, actor=actor(who), now=at)
    except JointauditError as error:
        session.rollback()
        errors = {"name": readable(error)}
        return _form(request, agency=agency, values=values, errors=errors, status_code=409)
    session.commit()
    done = "changed" if changed else "unchanged"
    return RedirectResponse(f"{BACK}?done={done}&agency={code}", status_code=303)


@router.get("/agencies/{code}/deactivate", response_class=HTMLResponse)
def confirm_deactivate(
    request: Request, _c: Coordinator, code: str, session: SessionDep
) -> HTMLResponse:
    """Are you sure? Deactivating an agency ends its contacts' access."""
    return page(request, "agency_deactivate.html", agency=_active(session, code), error="")


@router.post("/agencies/{code}/deactivate", response_model=None)
def deactivate(
    request: Request, who: Coordinator, code: str, session: SessionDep, at: Now
) -> Response:
    """Deactivate the agency (confirmed on the page before)."""
    agency = _active(session, code)
    try:
        deactivate_agency(session=session, code=code, actor=actor(who), now=at)
    except JointauditError as error:
        session.rollback()
        return page(
            request,
            "agency_deactivate.html",
            status_code=409,
            agency=agency,
            error=readable(error),
        )
    session.commit()
    return RedirectResponse(f"{BACK}?done=deactivated&agency={code}", status_code=303)
