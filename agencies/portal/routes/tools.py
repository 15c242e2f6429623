"""The coordinator's tool library: every tool with its versions and the rounds that used each,
a preview of any version, downloads as XLSX or YAML, and uploads checked as `tools import` is."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.types import Message

from agencies.deps import Coordinator, Now, SessionDep, coordinator, not_found
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import page
from agencies.portal.tool_drafts import drafts, saved_tools, unreadable_tools
from agencies.portal.tool_pages import find_version, folder_of, preview_page, saved_redirect
from models.errors import ImportFileError, JointauditError, Problem
from models.questionnaire import Tool
from models.questionnaire.sheets import MAX_FILE_BYTES
from models.questionnaire.spreadsheet_writer import tool_yaml, write_xlsx
from models.questionnaire.tool_import import import_tool
from models.round import AuditRound
from models.settings import Settings
from models.tool_version import ToolVersion, save_tool_version

UPLOAD_SUFFIXES = (".xlsx", ".yaml", ".yml")
FORM_ALLOWANCE = 64_000  # the other fields and the multipart framing around the file
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadTooBig(Exception):
    """The request body is bigger than a tool file may be."""


class BoundedUploadRoute(APIRoute):
    """A route that stops reading a request body past the tool file cap, before parsing it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = MAX_FILE_BYTES + FORM_ALLOWANCE

        async def bounded(request: Request) -> Response:
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                return _too_big(request)
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise UploadTooBig
                return message

            bounded_request = Request(request.scope, counting)
            try:
                return await handler(bounded_request)
            except UploadTooBig:
                return _too_big(request)
            finally:
                await bounded_request.close()  # the uploaded file's spooled copy

        return bounded


router = APIRouter(prefix="/coordinator/tools")
uploads = APIRouter(route_class=BoundedUploadRoute)


@dataclass(frozen=True)
class VersionRow:
    """One version of a tool: when it was stored and the rounds launched with it."""

    version: str
    stored_at: datetime | None
    rounds: list[AuditRound]
    current: bool


@dataclass
class LibraryRow:
    """A tool in the library: its saved file (if any), versions and draft."""

    name: str
    title: str
    builtin: bool
    tool: Tool | None
    versions: list[VersionRow] = field(default_factory=list)
    draft: bool = False


def library(*, session: Session, settings: Settings) -> list[LibraryRow]:
    """Every tool (catalogue, stored versions, drafts) with the rounds that used each version."""
    rows = {
        name: LibraryRow(name, tool.title, builtin, tool)
        for name, (tool, builtin) in saved_tools(settings).items()
    }
    stored = session.exec(select(ToolVersion).order_by(col(ToolVersion.created_at).desc()))
    rounds: dict[int, list[AuditRound]] = {}
    for round_ in session.exec(select(AuditRound).order_by(col(AuditRound.id))):
        rounds.setdefault(round_.tool_version_id, []).append(round_)
    for version in stored:
        row = rows.setdefault(version.name, LibraryRow(version.name, version.title, False, None))
        current = row.tool is not None and row.tool.version == version.version
        row.versions.append(
            VersionRow(
                version.version, version.created_at, rounds.get(version.id or 0, []), current
            )
        )
    for row in rows.values():
        if row.tool is not None and not any(v.current for v in row.versions):
            row.versions.insert(0, VersionRow(row.tool.version, None, [], True))
    folder = folder_of(settings)
    for draft in drafts(folder) if folder else []:
        if draft.name in rows:
            rows[draft.name].draft = True
        else:
            rows[draft.name] = LibraryRow(draft.name, draft.data["title"], False, None, draft=True)
    return sorted(rows.values(), key=lambda row: (not row.builtin, row.name))


def tool_of_version(*, session: Session, settings: Settings, name: str, version: str) -> Tool:
    """A version of a tool (stored, or the saved file's), or the "not found" page."""
    found = find_version(session=session, settings=settings, name=name, version=version)
    if found is None:
        raise not_found()
    return found


def library_page(
    request: Request,
    session: Session,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    saved: tuple[str, str] | None = None,
) -> HTMLResponse:
    """The library, with upload errors or a message of the version just saved."""
    settings: Settings = request.app.state.settings
    rows = library(session=session, settings=settings)
    message = ""
    for row in rows:
        if saved and row.name == saved[0] and any(v.version == saved[1] for v in row.versions):
            message = f"Saved {row.title} ({row.name}), version {saved[1]}"
    return page(
        request,
        "tools/library.html",
        status_code=status_code,
        rows=rows,
        unreadable=[
            (Path(error.source).name, error.problems[0] if error.problems else "")
            for error in unreadable_tools(settings)
        ],
        saved=message,
        folder=folder_of(settings),
        errors=errors or {},
        max_mb=MAX_FILE_BYTES // 1_000_000,
    )


def _too_big(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        coordinator(session, request)  # anyone else: "not found", as for every coordinator page
        cap = MAX_FILE_BYTES // 1_000_000
        message = f"The selected file must be smaller than {cap} MB"
        return library_page(request, session, status_code=413, errors={"tool_file": message})


@router.get("", response_class=HTMLResponse)
def tools_library(request: Request, _coordinator: Coordinator, session: SessionDep) -> HTMLResponse:
    """Every tool with its versions, the rounds that used each, and an upload form."""
    query = request.query_params
    return library_page(request, session, saved=(query.get("saved", ""), query.get("version", "")))


@router.get("/{name}/versions/{version}/preview", response_class=HTMLResponse)
def preview(
    request: Request, _coordinator: Coordinator, session: SessionDep, name: str, version: str
) -> HTMLResponse:
    """A version as an agency lead will see it, for every agency or for one."""
    settings: Settings = request.app.state.settings
    tool = tool_of_version(session=session, settings=settings, name=name, version=version)
    return preview_page(request, session, tool, back=f"/coordinator/tools#tool-{name}")


@router.get("/{name}/versions/{version}/download.{fmt}", response_model=None)
def download(
    request: Request,
    _coordinator: Coordinator,
    session: SessionDep,
    name: str,
    version: str,
    fmt: str,
) -> Response:
    """A version as an XLSX workbook or a YAML file, to edit and upload again."""
    settings: Settings = request.app.state.settings
    if fmt not in ("xlsx", "yaml"):
        raise not_found()
    tool = tool_of_version(session=session, settings=settings, name=name, version=version)
    filename = f"{tool.name}-{tool.version}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "yaml":
        return Response(tool_yaml(tool), media_type="application/yaml", headers=headers)
    with tempfile.TemporaryDirectory() as temporary:
        body = write_xlsx(tool, Path(temporary) / filename).read_bytes()
    return Response(body, media_type=XLSX, headers=headers)


def _upload_name(upload: UploadFile) -> str:
    return Path(upload.filename or "tool").name[:100] or "tool"


@uploads.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request, _coordinator: Coordinator, session: SessionDep, at: Now
) -> Response:
    """Store an uploaded spreadsheet or YAML in the tools folder, checked as `tools import` is."""
    settings: Settings = request.app.state.settings
    form = await request.form()
    upload = form.get("tool_file")
    replace = form.get("replace") == "yes"
    folder = folder_of(settings)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return library_page(
            request, session, status_code=400, errors={"tool_file": "Select a tool file"}
        )
    name = _upload_name(upload)
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        message = "The selected file must be an XLSX workbook (.xlsx) or a YAML file (.yaml)"
        return library_page(request, session, status_code=400, errors={"tool_file": message})
    if folder is None:
        raise not_found()
    with tempfile.TemporaryDirectory() as temporary:
        source = Path(temporary) / name
        source.write_bytes(await upload.read(MAX_FILE_BYTES + 1))
        try:
            stored = import_tool(source, folder=folder, settings=settings, replace=replace)
        except ImportFileError as error:
            problems = error.problems
            return library_page(request, session, status_code=400, errors=_located(name, problems))
        except JointauditError as error:
            return library_page(
                request, session, status_code=409, errors={"tool_file": readable(error)}
            )
    save_tool_version(session=session, tool=stored.tool, now=at)
    session.commit()
    return saved_redirect(stored.tool)


def _located(name: str, problems: list[Problem]) -> dict[str, str]:
    """Upload problems for the error summary: each links to the file field."""
    return {f"tool_file-{index}": f"{name}: {p}" for index, p in enumerate(problems)}


router.include_router(uploads)  # the same prefix; its route keeps the bounded route class
