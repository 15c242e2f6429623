"""What the tool library and the editor's pages share: the tools folder, the draft being
edited, agencies by name, the preview page, and placing a tool's problems on a form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from agencies.deps import not_found
from agencies.portal.coordinator_views import page
from agencies.portal.tool_drafts import (
    Draft,
    ToolProblems,
    checked,
    draft_of,
    keep,
    load_draft,
    saved_tools,
)
from agencies.portal.tool_forms import age_band_choices, field_of
from agencies.portal.tool_preview import PreviewSection, preview_sections
from models.agency import Agency
from models.errors import ConfigurationError
from models.questionnaire import Tool
from models.questionnaire.located import Loc
from models.questionnaire.tool_diff import TYPE_LABELS
from models.questionnaire.tool_import import tools_folder
from models.settings import Settings
from models.tool_version import ToolVersion, frozen_tool

Values = dict[str, Any]


def folder_of(settings: Settings) -> Path | None:
    """The partnership's tools folder (where imports and the editor write), if configured."""
    try:
        return tools_folder(None, settings.tool_dirs)
    except ConfigurationError:
        return None


def named_sections(tool: Tool, agency: str | None, names: dict[str, str]) -> list[PreviewSection]:
    """The preview's sections, with agencies named in the scoring notes instead of coded."""
    sections = preview_sections(tool, agency=agency)
    for section in sections:
        for entry in section.entries:
            question, lines = entry.question, entry.scoring
            for index, line in enumerate(lines):
                if line.startswith("Asked only of: "):
                    asked = ", ".join(names.get(code, code) for code in question.applies_to)
                    lines[index] = f"Asked only of: {asked}."
                owner = question.action_rule.owner_hint if question.action_rule else None
                if owner and line.endswith(f" Suggested lead: {owner}."):
                    lines[index] = line.replace(
                        f"lead: {owner}.", f"lead: {names.get(owner, owner)}."
                    )
    return sections


def agency_names(session: Session) -> dict[str, str]:
    """Every agency's name by its code."""
    return {a.code: a.name for a in session.exec(select(Agency).order_by(col(Agency.name)))}


def find_version(*, session: Session, settings: Settings, name: str, version: str) -> Tool | None:
    """A stored version of a tool, or the saved file's when it is that version."""
    stored = session.exec(
        select(ToolVersion).where(ToolVersion.name == name, ToolVersion.version == version)
    ).first()
    if stored is not None:
        return frozen_tool(stored)
    found = saved_tools(settings).get(name)
    return found[0] if found is not None and found[0].version == version else None


def preview_page(
    request: Request, session: Session, tool: Tool, *, back: str, draft: bool = False
) -> HTMLResponse:
    """A tool as an agency lead will see it: for every agency, or the one asked for."""
    names = agency_names(session)
    agency = request.query_params.get("agency") or None
    if agency is not None and agency not in names:
        raise not_found()
    return page(
        request,
        "tools/preview.html",
        tool=tool,
        sections=named_sections(tool, agency, names),
        agency=agency,
        agencies=names,
        back=back,
        action=request.url.path,
        draft=draft,
    )


def saved_redirect(tool: Tool) -> RedirectResponse:
    """Back to the library, which says which version was saved."""
    return RedirectResponse(
        f"/coordinator/tools?saved={tool.name}&version={tool.version}#tool-{tool.name}",
        status_code=303,
    )


def folder_or_404(request: Request) -> Path:
    folder = folder_of(request.app.state.settings)
    if folder is None:
        raise not_found()
    return folder


def draft_or_404(request: Request, name: str) -> Draft:
    """The draft being edited, or one begun from the saved partnership tool; else 404."""
    folder = folder_or_404(request)
    found = load_draft(folder, name)
    if found is not None:
        return found
    saved = saved_tools(request.app.state.settings).get(name)
    if saved is None or saved[1]:
        raise not_found()
    return draft_of(saved[0])


async def posted_form(request: Request) -> dict[str, Any]:
    """The posted form: text fields as text, repeated fields (checkboxes) as lists."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 else (items[0] if items else "")
    return values


def vocabulary(request: Request, session: Session) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {
        "agencies": agency_names(session),
        "categories": [(c, c) for c in settings.case_categories],
        "flags": [(f, f.replace("_", " ").capitalize()) for f in settings.case_flags],
        "age_bands": age_band_choices(),
    }


def problem_errors(problems: list[tuple[Loc, str]], prefix: Loc, fallback: str) -> Values:
    errors: Values = {}
    for loc, message in problems:
        key = field_of(loc, prefix) or fallback
        message = message.replace(" (shared: true)", "")  # the YAML key, not the page's words
        text = message[0].upper() + message[1:]
        errors.setdefault(key, text)
    return errors


def edit_page(request: Request, session: Session, draft: Draft, **context: Any) -> HTMLResponse:
    status = 400 if context.get("errors") else 200
    return page(
        request,
        "tools/edit.html",
        status_code=status,
        draft=draft,
        tool=draft.tool,
        type_labels=TYPE_LABELS,
        agencies=agency_names(session),
        errors=context.pop("errors", {}),
        **context,
    )


def changed(
    request: Request,
    session: Session,
    draft: Draft,
    data: Values,
    *,
    render: Callable[..., HTMLResponse],
    prefix: Loc = (),
) -> Response:
    """Keep the edited data if the whole tool is valid; else the page again with its errors."""
    try:
        checked(data, request.app.state.settings)
    except ToolProblems as problems:
        return render(errors=problem_errors(problems.problems, prefix, "top"))
    draft.data = data
    keep(folder_or_404(request), draft)
    return RedirectResponse(f"/coordinator/tools/{draft.name}/edit", status_code=303)


def section_index(draft: Draft, index: str) -> int:
    if not index.isdigit() or int(index) >= len(draft.data["sections"]):
        raise not_found()
    return int(index)
