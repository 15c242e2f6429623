"""The tool editor's question pages: every setting of one question, add, move and remove."""

from __future__ import annotations

import copy

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, SessionDep, not_found
from agencies.portal.coordinator_views import page
from agencies.portal.tool_drafts import Draft
from agencies.portal.tool_edits import (
    locate,
    move_question,
    put_question,
    question_ids,
    remove_question,
)
from agencies.portal.tool_forms import (
    form_of_question,
    met_choices,
    question_from_form,
    slug_of,
    type_choices,
)
from agencies.portal.tool_pages import (
    Values,
    changed,
    draft_or_404,
    edit_page,
    posted_form,
    section_index,
    vocabulary,
)
from models.questionnaire.located import Loc
from models.questionnaire.tool_diff import TYPE_LABELS

router = APIRouter()


def _question_page(
    request: Request,
    session: Session,
    draft: Draft,
    *,
    question_id: str | None,
    section: int,
    kind: str,
    values: Values,
    errors: Values,
    notice: str = "",
) -> HTMLResponse:
    return page(
        request,
        "tools/question.html",
        status_code=400 if errors else 200,
        draft=draft,
        question_id=question_id,
        section=section,
        kind=kind,
        values=values,
        errors=errors,
        notice=notice,
        types=type_choices(),
        met_choices=met_choices(kind, values.get("options", [])),
        sections=[s["title"] for s in draft.data["sections"]],
        **vocabulary(request, session),
    )


@router.get("/{name}/edit/questions/{question_id}", response_class=HTMLResponse)
def question_form(
    request: Request, _c: Coordinator, session: SessionDep, name: str, question_id: str
) -> HTMLResponse:
    """Every setting of one question."""
    draft = draft_or_404(request, name)
    place = locate(draft.data, question_id)
    if place is None:
        raise not_found()
    question = draft.data["sections"][place[0]]["questions"][place[1]]
    values = form_of_question(question)
    return _question_page(
        request,
        session,
        draft,
        question_id=question_id,
        section=place[0],
        kind=question["type"],
        values=values,
        errors={},
    )


@router.get("/{name}/edit/sections/{index}/questions/new", response_class=HTMLResponse)
def new_question_form(
    request: Request, _c: Coordinator, session: SessionDep, name: str, index: str
) -> HTMLResponse:
    """A new question for a section."""
    draft = draft_or_404(request, name)
    position = section_index(draft, index)
    values = form_of_question(
        {"type": "yes_no_na", "required": True, "shared": False, "allow_na": True}
    )
    values["id"] = ""
    return _question_page(
        request,
        session,
        draft,
        question_id=None,
        section=position,
        kind="yes_no_na",
        values=values,
        errors={},
    )


@router.post("/{name}/edit/questions/{question_id}", response_model=None)
async def save_question(
    request: Request, _c: Coordinator, session: SessionDep, name: str, question_id: str
) -> Response:
    """Change a question; the whole tool is validated."""
    return await _save_question(request, session, draft_or_404(request, name), question_id)


@router.post("/{name}/edit/sections/{index}/questions/new", response_model=None)
async def add_question(
    request: Request, _c: Coordinator, session: SessionDep, name: str, index: str
) -> Response:
    """Add a question to a section; the whole tool is validated."""
    draft = draft_or_404(request, name)
    section_index(draft, index)
    return await _save_question(request, session, draft, None)


async def _save_question(
    request: Request, session: Session, draft: Draft, question_id: str | None
) -> Response:
    form = await posted_form(request)
    data = copy.deepcopy(draft.data)
    if question_id is not None and locate(data, question_id) is None:
        raise not_found()
    section = section_index(draft, str(form.get("section", "0")))
    kind = str(form.get("type", ""))
    kind = kind if kind in TYPE_LABELS else "yes_no_na"
    errors: Values = {}
    new_id = question_id or ""
    if question_id is None:
        taken = question_ids(data)
        new_id = str(form.get("id", "")).strip() or slug_of(str(form.get("text", "")), taken)
        if new_id in taken:
            errors["id"] = f"Another question already uses the name {new_id}: choose another"
    question = question_from_form(form, kind=kind, question_id=new_id, errors=errors)
    values = form_of_question(question) | {"id": str(form.get("id", ""))}

    def render(errors: Values, notice: str = "") -> HTMLResponse:
        return _question_page(
            request,
            session,
            draft,
            question_id=question_id,
            section=section,
            kind=kind,
            values=values,
            errors=errors,
            notice=notice,
        )

    if kind != form.get("shown_type"):
        label = TYPE_LABELS[kind]
        return render(
            {},
            notice=f"The page now shows the settings of a “{label}” question: check them, save.",
        )
    if errors:
        return render(errors)
    put_question(data, question, s_index=section, replacing=question_id)
    place = locate(data, new_id) or (section, 0)
    prefix: Loc = ("sections", place[0], "questions", place[1])
    return changed(request, session, draft, data, render=render, prefix=prefix)


@router.post("/{name}/edit/questions/{question_id}/{action}", response_model=None)
async def change_question(
    request: Request, _c: Coordinator, session: SessionDep, name: str, question_id: str, action: str
) -> Response:
    """Move a question up or down, or remove it."""
    draft, form = draft_or_404(request, name), await posted_form(request)
    data = copy.deepcopy(draft.data)
    if locate(data, question_id) is None or action not in ("move", "remove"):
        raise not_found()
    if action == "remove":
        remove_question(data, question_id)
    else:
        move_question(data, question_id, -1 if form.get("direction") == "up" else 1)

    def render(errors: Values) -> HTMLResponse:
        return edit_page(request, session, draft, errors=errors)

    return changed(request, session, draft, data, render=render)
