"""The case register: upload an extract (CSV or XLSX, all or nothing) and the register's summary.

The import runs in the request through the CLI's own `import_case_file`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor
from agencies.portal.coordinator_forms import CLI_HINT, readable
from agencies.portal.coordinator_views import page
from flows.register.importer import import_case_file
from flows.register.summary import register_summary
from models.errors import ImportFileError, JointauditError

router = APIRouter(prefix="/coordinator")
QUOTED = re.compile(r"""\s*\(?'[^']*'\)?|\s*\(?"[^"]*"\)?|\s*\(JOINTAUDIT_[A-Z_]+\)""")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
WHERE = re.compile(r"^line (\d+)(?:, column (.+))?$")


def problem_rows(error: ImportFileError) -> list[tuple[str, str, str]]:
    """Each problem as (line, column, rule); a quoted cell value is left out."""
    rows = []
    for problem in error.problems:
        found = WHERE.match(problem.where)
        line, column = (found.group(1), found.group(2) or "") if found else ("", problem.where)
        rule = CLI_HINT.sub("", QUOTED.sub("", problem.message)).strip()
        rows.append((line, column, rule[:1].upper() + rule[1:]))
    return rows


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
        name = SAFE_NAME.sub("-", Path(upload.filename).name)[-100:] or "register.csv"
        data = await upload.read()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            summary = import_case_file(
                session=session,
                path=path,
                settings=request.app.state.settings,
                actor=actor(who),
                now=at,
            )
        except ImportFileError as error:
            session.rollback()
            count = len(error.problems)
            noun, them = ("problem", "it") if count == 1 else ("problems", "them")
            message = (
                f"The file has {count} {noun}: nothing was imported. "
                f"Correct {them} and upload the file again"
            )
            return _page(
                request, session, problems=problem_rows(error), error=message, status_code=400
            )
        except JointauditError as error:
            session.rollback()
            return _page(request, session, error=readable(error), status_code=400)
    session.commit()
    return RedirectResponse(
        f"/coordinator/register?imported=1&batch={summary.batch_id}", status_code=303
    )
