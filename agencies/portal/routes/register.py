"""The case register: upload an extract (CSV or XLSX, all or nothing) and the register's summary.

A small file is imported in the request through the CLI's own `import_case_file`; a large one
goes to the `import-case-register` deployment when one is running, with a progress page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import page
from flows.register.handoff import receive_upload, upload_name
from flows.register.problems import problem_rows, refusal_message
from flows.register.summary import register_summary
from models.errors import ImportFileError, JointauditError, NotFoundError
from models.register_import import (
    FINISHED,
    RegisterImport,
    get_register_import,
    import_problems,
    unfinished_imports,
)

router = APIRouter(prefix="/coordinator")
REFRESH_SECONDS = 5


def _page(
    request: Request,
    session: Session,
    *,
    problems: list[tuple[str, str, str]] | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "register.html",
        status_code=status_code,
        summary=register_summary(session=session),
        problems=problems or [],
        errors={"register_file": error} if error else {},
        imported=request.query_params.get("imported") == "1",
        unfinished=unfinished_imports(session=session),
    )


@router.get("/register", response_class=HTMLResponse)
def register(request: Request, _c: Coordinator, session: SessionDep) -> HTMLResponse:
    """The register's summary and the upload form."""
    return _page(request, session)


@router.post("/register", response_model=None)
async def upload_register(
    request: Request, who: Coordinator, session: SessionDep, at: Now
) -> Response:
    """Import a full register extract: every row valid, or nothing written."""
    async with request.form() as form:
        upload = form.get("register_file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return _page(request, session, error="Choose a CSV or XLSX file", status_code=400)
        name = upload_name(upload.filename)
        data = await upload.read()
    try:
        received = await receive_upload(
            session=session,
            data=data,
            source_name=name,
            settings=request.app.state.settings,
            actor=actor(who),
            now=at,
        )
    except ImportFileError as error:
        session.rollback()
        message = refusal_message(len(error.problems))
        return _page(request, session, problems=problem_rows(error), error=message, status_code=400)
    except JointauditError as error:
        session.rollback()
        return _page(request, session, error=readable(error), status_code=400)
    if isinstance(received, RegisterImport):
        return RedirectResponse(f"/coordinator/register/imports/{received.id}", status_code=303)
    session.commit()
    return RedirectResponse(
        f"/coordinator/register?imported=1&batch={received.batch_id}", status_code=303
    )


@router.get("/register/imports/{import_id}", response_class=HTMLResponse)
def import_progress(
    request: Request,
    _c: Coordinator,
    session: SessionDep,
    import_id: int = PathParam(ge=1, le=2**31 - 1),
) -> HTMLResponse:
    """A handed-over import: its state, then its counts or its problems. The page refreshes
    itself only when the coordinator asks it to (`?refresh=5`)."""
    try:
        upload = get_register_import(session=session, import_id=import_id)
    except NotFoundError:
        raise not_found() from None
    finished = upload.status in FINISHED
    refreshing = not finished and request.query_params.get("refresh") == str(REFRESH_SECONDS)
    problems = import_problems(session=session, import_id=import_id) if finished else []
    return page(
        request,
        "register_import.html",
        upload=upload,
        finished=finished,
        refreshing=refreshing,
        refresh_seconds=REFRESH_SECONDS,
        problems=problems,
    )
