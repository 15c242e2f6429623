"""The partnership page: agencies and their contacts, the partnership's people and front door,
a registry upload (all or nothing, each problem located) and the registry's download.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_forms import readable, yaml_too_big
from agencies.portal.coordinator_views import page
from agencies.portal.partnership_forms import CHANNELS
from agencies.registry import list_agencies, load_registry_file
from agencies.registry_edit import agency_by_code
from agencies.registry_export import current_registry, export_registry
from models.case import ImportBatch
from models.errors import ImportFileError, JointauditError, NotFoundError
from models.partnership import Person, is_coordinator
from models.sessions import sign_out_everywhere

router = APIRouter(prefix="/coordinator/partnership")
FIELD = "registry_file"
DONE = {
    "added": "{name} was added",
    "changed": "The contacts of {name} were saved",
    "unchanged": "Nothing changed: the contacts of {name} were already as given",
    "deactivated": "{name} was deactivated",
}


def _done(request: Request, session: Session) -> str:
    query = request.query_params
    if query.get("loaded", "").isdigit():
        batch = session.get(ImportBatch, int(query["loaded"]))
        if batch is not None:
            noun = "agency" if batch.created == 1 else "agencies"
            return (
                f"The registry was loaded: {batch.created} {noun} added, {batch.updated} "
                f"changed, {batch.deactivated} deactivated"
            )
    if query.get("signed_out", "").isdigit():
        person = session.get(Person, int(query["signed_out"]))
        if person is not None:
            ended = query.get("ended", "0")
            noun = "session" if ended == "1" else "sessions"
            return f"{person.name} was signed out everywhere: {ended} {noun} ended"
    template = DONE.get(query.get("done", ""))
    if template is None:
        return ""
    try:
        return template.format(name=agency_by_code(session=session, code=query["agency"]).name)
    except (KeyError, NotFoundError):
        return ""


def _page(
    request: Request,
    session: Session,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    agencies = sorted(list_agencies(session=session, include_inactive=True), key=lambda a: a.name)
    registry = current_registry(session=session)
    return page(
        request,
        "partnership.html",
        status_code=status_code,
        partnership=registry.partnership if registry else None,
        active=[a for a in agencies if a.active],
        inactive=[a for a in agencies if not a.active],
        channels=dict(CHANNELS),
        errors=errors or {},
        done=_done(request, session),
        people=session.exec(select(Person).order_by(col(Person.name))).all(),
    )


@router.get("", response_class=HTMLResponse)
def partnership(request: Request, _c: Coordinator, session: SessionDep) -> HTMLResponse:
    """The agencies with their contacts, the partnership's people, the upload and download."""
    return _page(request, session)


@router.get("/registry.yaml", response_model=None)
def download(request: Request, who: Coordinator, session: SessionDep, at: Now) -> Response:
    """The current registry as a file that `jointaudit agencies load` takes back unchanged."""
    text = export_registry(session=session, actor=actor(who), now=at)
    if text is None:
        return _page(request, session, errors={FIELD: "There are no agencies to download yet"})
    session.commit()
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": 'attachment; filename="agencies.yaml"'},
    )


def _upload_errors(error: ImportFileError) -> dict[str, str]:
    count = len(error.problems) + error.omitted
    noun, them = ("problem", "it") if count == 1 else ("problems", "them")
    errors = {
        FIELD: f"The file has {count} {noun}: nothing was loaded. Correct {them} and upload "
        "the file again"
    }
    for index, problem in enumerate(error.problems):
        where = problem.where[:1].upper() + problem.where[1:]
        errors[f"problem-{index}"] = f"{where}: {problem.message}"
    return errors


def _keeps_uploader(session: Session, who: Person) -> dict[str, str]:
    """Errors if the load took the uploader's own coordinator role (they would be shut out)."""
    if who.id is not None and is_coordinator(session=session, person_id=who.id):
        return {}
    return {
        FIELD: f"The file does not list you ({who.email}) under partnership, coordinators: "
        "nothing was loaded. Add yourself to the file, or ask another coordinator to load it"
    }


@router.post("/registry", response_model=None)
async def upload(request: Request, who: Coordinator, session: SessionDep, at: Now) -> Response:
    """Load a registry file as `jointaudit agencies load` does: valid as a whole, or nothing."""
    async with request.form() as form:
        sent = form.get(FIELD)
        data = await sent.read() if sent is not None and not isinstance(sent, str) else b""
    if not data:
        return _page(
            request, session, errors={FIELD: "Choose a registry file (YAML)"}, status_code=400
        )
    too_big = yaml_too_big(data, request.app.state.settings)
    if too_big:
        return _page(request, session, errors={FIELD: too_big}, status_code=400)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agencies.yaml"
        path.write_bytes(data)
        try:
            summary = load_registry_file(session=session, path=path, actor=actor(who), now=at)
            errors = _keeps_uploader(session, who)
        except ImportFileError as error:
            errors = _upload_errors(error)
        except JointauditError as error:
            errors = {FIELD: readable(error)}
    if errors:
        session.rollback()
        return _page(request, session, errors=errors, status_code=400)
    session.commit()
    return RedirectResponse(f"/coordinator/partnership?loaded={summary.batch_id}", status_code=303)


@router.post("/sign-out", response_model=None)
async def sign_out_person(
    request: Request, who: Coordinator, session: SessionDep, at: Now
) -> Response:
    """End every session of one person at once, as `jointaudit people sign-out` does (audited)."""
    async with request.form() as form:
        chosen = str(form.get("person", ""))
    if not chosen:
        errors = {"person": "Choose the person to sign out everywhere"}
        return _page(request, session, errors=errors, status_code=400)
    person = session.get(Person, int(chosen)) if chosen.isdigit() and len(chosen) < 10 else None
    if person is None:
        raise not_found()
    ended = sign_out_everywhere(session=session, email=person.email, actor=actor(who), now=at)
    session.commit()
    return RedirectResponse(
        f"/coordinator/partnership?signed_out={person.id}&ended={ended}", status_code=303
    )
