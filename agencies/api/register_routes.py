"""The coordinator API's register import: upload an extract (CSV or XLSX, all or nothing).

A large file goes to the `import-case-register` deployment when one is running (202, then the
import's state at `GET /register/imports/{id}`); otherwise it is imported in the request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from agencies.api.coordinator_auth import CoordinatorCaller, coordinator_caller
from agencies.api.schemas import Problem
from agencies.deps import Now, SessionDep
from flows.register.handoff import receive_upload, upload_name
from flows.register.problems import problem_rows, refusal_message
from flows.register.store import CaseImportSummary
from models.audit_log import record_event
from models.errors import ImportFileError, InputError, NotFoundError
from models.register_import import (
    WAITING,
    ImportStatus,
    RegisterImport,
    get_register_import,
    import_problems,
)

router = APIRouter(tags=["coordinator"])
Caller = Annotated[CoordinatorCaller, Depends(coordinator_caller)]
ImportPath = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="The import's id")]


class FileProblem(BaseModel):
    """Where a register file is wrong and the rule it breaks (never the cell's value)."""

    line: str
    column: str
    rule: str


class RegisterProblems(BaseModel):
    """A refused register: nothing was imported."""

    detail: str
    problems: list[FileProblem]


class RegisterCounts(BaseModel):
    """What an import changed in the register."""

    batch_id: int | None
    rows: int
    new: int
    updated: int
    unchanged: int
    marked_inactive: int


class RegisterImportOut(BaseModel):
    """A register import handed to the `import-case-register` deployment, and how it went."""

    import_id: int
    status: ImportStatus
    rows_estimated: int
    created_at: datetime
    finished_at: datetime | None
    counts: RegisterCounts | None = None
    problem_count: int = 0
    problems: list[FileProblem] = []


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No API key, or not a live coordinator's key"},
    404: {"model": Problem, "description": "Not a coordinator's key"},
}
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": RegisterImportOut, "description": "Large: handed to the deployment"},
    413: {"model": Problem, "description": "Over JOINTAUDIT_REGISTER_MAX_MB"},
    422: {"model": RegisterProblems, "description": "The file's problems; nothing imported"},
    **ERRORS,
}


def _problems(rows: list[tuple[str, str, str]]) -> list[FileProblem]:
    return [FileProblem(line=line, column=column, rule=rule) for line, column, rule in rows]


def _counts(done: CaseImportSummary | RegisterImport) -> RegisterCounts:
    """What an import changed, whether it ran in the request or through the deployment."""
    return RegisterCounts(
        batch_id=done.batch_id,
        rows=done.rows,
        new=done.created,
        updated=done.updated,
        unchanged=done.unchanged,
        marked_inactive=done.deactivated,
    )


def _audit(
    session: SessionDep, who: CoordinatorCaller, action: str, at: Now, **details: Any
) -> None:
    record_event(
        session=session,
        actor=who.actor,
        action=action,
        entity_type="register",
        now=at,
        details=details,
    )


@router.post("/register", response_model=RegisterCounts, responses=UPLOAD_RESPONSES)
async def upload_register(
    request: Request,
    session: SessionDep,
    at: Now,
    who: Caller,
    file: Annotated[UploadFile, File(description="The register extract: CSV (UTF-8) or XLSX")],
) -> RegisterCounts | JSONResponse:
    """Import a full register extract, as the register page does: every row valid or nothing
    written; cases missing from the file become inactive. Problems name the line, the column
    and the rule, never a value."""
    name = upload_name(file.filename or "register.csv")
    data = await file.read()
    try:
        received = await receive_upload(
            session=session,
            data=data,
            source_name=name,
            settings=request.app.state.settings,
            actor=who.actor,
            now=at,
        )
    except (ImportFileError, InputError) as error:
        session.rollback()
        rows = (
            problem_rows(error)
            if isinstance(error, ImportFileError)
            else [("", "file", str(error))]
        )
        _audit(session, who, "api.register_refused", at, problems=len(rows))
        session.commit()
        detail = refusal_message(len(rows))
        body = RegisterProblems(detail=detail, problems=_problems(rows)).model_dump()
        return JSONResponse(body, status_code=422)
    if isinstance(received, RegisterImport):
        body = _import_out(session, received.id or 0).model_dump(mode="json")
        where = f"{request.scope.get('root_path', '')}/register/imports/{received.id}"
        return JSONResponse(body, status_code=202, headers={"Location": where})
    session.commit()
    return _counts(received)


def _import_out(session: SessionDep, import_id: int) -> RegisterImportOut:
    upload = get_register_import(session=session, import_id=import_id)
    counts = _counts(upload) if upload.status == ImportStatus.done else None
    return RegisterImportOut(
        import_id=import_id,
        status=upload.status,
        rows_estimated=upload.rows_estimated,
        created_at=upload.created_at,
        finished_at=upload.finished_at,
        counts=counts,
        problem_count=upload.problem_count,
        problems=_problems(import_problems(session=session, import_id=import_id)),
    )


@router.get(
    "/register/imports/{import_id}",
    response_model=RegisterImportOut,
    responses={**ERRORS, 404: {"model": Problem, "description": "No such import"}},
)
def register_import(
    import_id: ImportPath, session: SessionDep, at: Now, who: Caller, response: Response
) -> RegisterImportOut:
    """A handed-over import: queued, running, done (with its counts) or failed (with its
    problems: line, column and rule)."""
    try:
        found = _import_out(session, import_id)
    except NotFoundError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    _audit(session, who, "api.register_import_viewed", at, import_id=import_id)
    session.commit()
    if found.status in WAITING:
        response.headers["Retry-After"] = "5"
    return found
