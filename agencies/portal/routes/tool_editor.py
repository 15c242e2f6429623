"""The coordinator's tool editor: copy a tool, edit a draft one page at a time (no JavaScript
needed), check what changed since the version it began from, and save a new version."""

from __future__ import annotations

import copy

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, not_found
from agencies.portal.coordinator_forms import readable
from agencies.portal.coordinator_views import page
from agencies.portal.routes import tool_questions
from agencies.portal.tool_drafts import Draft, ToolProblems, discard, save, saved_tools, start_copy
from agencies.portal.tool_edits import (
    add_section,
    move_section,
    question_ids,
)
from agencies.portal.tool_forms import (
    condition_of,
    slug_of,
    type_choices,
)
from agencies.portal.tool_pages import (
    Values,
    agency_names,
    changed,
    draft_or_404,
    edit_page,
    find_version,
    folder_or_404,
    posted_form,
    preview_page,
    problem_errors,
    saved_redirect,
    section_index,
    vocabulary,
)
from models.errors import ImportFileError, JointauditError
from models.questionnaire.located import Loc
from models.questionnaire.tool_diff import TYPE_LABELS, tool_changes
from models.settings import Settings
from models.tool_version import save_tool_version

router = APIRouter(prefix="/coordinator/tools")


@router.get("/{name}/copy", response_class=HTMLResponse)
def copy_form(request: Request, _c: Coordinator, session: SessionDep, name: str) -> HTMLResponse:
    """Ask for the name of a copy of a tool."""
    tool = saved_tools(request.app.state.settings).get(name)
    if tool is None:
        raise not_found()
    values = {"name": f"{name}-local", "title": tool[0].title}
    return page(request, "tools/copy.html", source=tool[0], values=values, errors={})


@router.post("/{name}/copy", response_model=None)
async def copy_tool(request: Request, _c: Coordinator, session: SessionDep, name: str) -> Response:
    """Begin a draft of a new tool, copied from this one."""
    settings: Settings = request.app.state.settings
    source = saved_tools(settings).get(name)
    if source is None:
        raise not_found()
    form = await posted_form(request)
    values = {
        "name": str(form.get("name", "")).strip(),
        "title": str(form.get("title", "")).strip(),
    }
    errors = {} if values["title"] else {"title": "Enter the title agency leads will see"}
    try:
        if not errors:
            folder = folder_or_404(request)
            draft = start_copy(folder, settings, source[0], values["name"], values["title"])
            return RedirectResponse(f"/coordinator/tools/{draft.name}/edit", status_code=303)
    except ToolProblems as problems:
        errors = problem_errors(problems.problems, ("never",), "name")
    return page(
        request, "tools/copy.html", status_code=400, source=source[0], values=values, errors=errors
    )


@router.get("/{name}/edit", response_class=HTMLResponse)
def edit(request: Request, _c: Coordinator, session: SessionDep, name: str) -> HTMLResponse:
    """The draft: its details, sections and questions, each with a link to change it."""
    return edit_page(request, session, draft_or_404(request, name))


@router.get("/{name}/edit/details", response_class=HTMLResponse)
def details_form(request: Request, _c: Coordinator, session: SessionDep, name: str) -> HTMLResponse:
    """The tool's title, description and Working Together citation."""
    draft = draft_or_404(request, name)
    return page(request, "tools/details.html", draft=draft, values=draft.data, errors={})


@router.post("/{name}/edit/details", response_model=None)
async def save_details(
    request: Request, _c: Coordinator, session: SessionDep, name: str
) -> Response:
    """Change the tool's title, description and citation."""
    draft, form = draft_or_404(request, name), await posted_form(request)
    data = copy.deepcopy(draft.data)
    for key in ("title", "description", "working_together"):
        data[key] = str(form.get(key, "")).strip()
    data["working_together"] = data["working_together"] or None

    def render(errors: Values) -> HTMLResponse:
        return page(
            request, "tools/details.html", status_code=400, draft=draft, values=data, errors=errors
        )

    if not data["title"]:
        return render({"title": "Enter the title agency leads will see"})
    return changed(request, session, draft, data, render=render, prefix=())


def _section_page(
    request: Request,
    session: Session,
    draft: Draft,
    index: int | None,
    values: Values,
    errors: Values,
) -> HTMLResponse:
    return page(
        request,
        "tools/section.html",
        status_code=400 if errors else 200,
        draft=draft,
        index=index,
        values=values,
        errors=errors,
        types=type_choices(),
        **vocabulary(request, session),
    )


def _section_values(section: Values) -> Values:
    condition = section.get("applies_when") or {}
    values = {"title": section["title"], "description": section.get("description", "")}
    values |= {f"when_{a}": list(condition.get(a) or []) for a in ("category", "flags", "age_band")}
    return values


@router.get("/{name}/edit/sections/{index}", response_class=HTMLResponse)
def section_form(
    request: Request, _c: Coordinator, session: SessionDep, name: str, index: str
) -> HTMLResponse:
    """A section's title, description and the cases it is asked about; or a new section."""
    draft = draft_or_404(request, name)
    if index == "new":
        values = {"title": "", "description": "", "first_text": "", "first_type": "yes_no_na"}
        return _section_page(request, session, draft, None, values, {})
    position = section_index(draft, index)
    return _section_page(
        request, session, draft, position, _section_values(draft.data["sections"][position]), {}
    )


@router.post("/{name}/edit/sections/{index}", response_model=None)
async def save_section(
    request: Request, _c: Coordinator, session: SessionDep, name: str, index: str
) -> Response:
    """Change a section, or add one (with its first question) before the closing section."""
    draft, form = draft_or_404(request, name), await posted_form(request)
    data = copy.deepcopy(draft.data)
    values = {k: form.get(k, "") for k in ("title", "description", "first_text", "first_type")}
    values |= {f"when_{a}": form.get(f"when_{a}", []) for a in ("category", "flags", "age_band")}
    section: Values = {
        "title": str(values["title"]).strip(),
        "description": str(values["description"]).strip(),
        "applies_when": condition_of(form),
    }
    errors: Values = {} if section["title"] else {"title": "Enter the section's title"}
    if index == "new":
        position = None
        text = str(values["first_text"]).strip()
        if not text:
            errors["first_text"] = "Enter the wording of the section's first question"
        kind = str(values["first_type"]) if values["first_type"] in TYPE_LABELS else "yes_no_na"
        first: Values = {"id": slug_of(text, question_ids(data)), "type": kind, "text": text}
        if kind in ("single_choice", "multi_choice"):
            first["options"] = [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]
        section["questions"] = [first]
        if not errors:
            position = add_section(data, section)
    else:
        position = section_index(draft, index)
        data["sections"][position].update(section)

    def render(errors: Values) -> HTMLResponse:
        return _section_page(
            request, session, draft, None if index == "new" else position, values, errors
        )

    if errors:
        return render(errors)
    prefix: Loc = ("sections", position or 0)
    return changed(request, session, draft, data, render=render, prefix=prefix)


@router.post("/{name}/edit/sections/{index}/move", response_model=None)
async def move_a_section(
    request: Request, _c: Coordinator, session: SessionDep, name: str, index: str
) -> Response:
    """Move a section up or down."""
    draft, form = draft_or_404(request, name), await posted_form(request)
    data = copy.deepcopy(draft.data)
    move_section(data, section_index(draft, index), -1 if form.get("direction") == "up" else 1)

    def render(errors: Values) -> HTMLResponse:
        return edit_page(request, session, draft, errors=errors)

    return changed(request, session, draft, data, render=render)


@router.get("/{name}/edit/preview", response_class=HTMLResponse)
def preview_draft(
    request: Request, _c: Coordinator, session: SessionDep, name: str
) -> HTMLResponse:
    """The draft as an agency lead will see it."""
    draft = draft_or_404(request, name)
    back = f"/coordinator/tools/{name}/edit"
    return preview_page(request, session, draft.tool, back=back, draft=True)


@router.get("/{name}/edit/check", response_class=HTMLResponse)
def check(request: Request, _c: Coordinator, session: SessionDep, name: str) -> HTMLResponse:
    """What changed since the version the draft began from, before saving."""
    draft = draft_or_404(request, name)
    return _check_page(request, session, draft, {})


def _check_page(request: Request, session: Session, draft: Draft, errors: Values) -> HTMLResponse:
    settings = request.app.state.settings
    base = find_version(
        session=session, settings=settings, name=draft.base_name, version=draft.base_version
    )
    changes = tool_changes(base, draft.tool, agency_names=agency_names(session)) if base else []
    return page(
        request,
        "tools/check.html",
        status_code=400 if errors else 200,
        draft=draft,
        tool=draft.tool,
        changes=changes,
        base_known=base is not None,
        errors=errors,
    )


@router.post("/{name}/edit/save", response_model=None)
async def save_draft(
    request: Request, _c: Coordinator, session: SessionDep, name: str, at: Now
) -> Response:
    """Validate the whole tool as `tools import` does, store it as NAME.yaml and its version."""
    draft = draft_or_404(request, name)
    try:
        stored = save(folder_or_404(request), request.app.state.settings, draft)
    except ImportFileError as error:
        errors = {f"save-{i}": str(p) for i, p in enumerate(error.problems)}
        return _check_page(request, session, draft, errors)
    except JointauditError as error:
        return _check_page(request, session, draft, {"save": readable(error)})
    save_tool_version(session=session, tool=stored.tool, now=at)
    session.commit()
    return saved_redirect(stored.tool)


@router.post("/{name}/edit/discard", response_model=None)
async def discard_draft(
    request: Request, _c: Coordinator, session: SessionDep, name: str
) -> Response:
    """Forget the draft; the saved tool is unchanged."""
    draft = draft_or_404(request, name)
    discard(folder_or_404(request), draft.name)
    return RedirectResponse(f"/coordinator/tools#tool-{name}", status_code=303)


router.include_router(tool_questions.router)
