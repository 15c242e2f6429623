"""The coordinator's edits to a board report: its front sheet, each section's narrative and
notes on the highlights (each save a new audited version; nothing changes on bad input)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.forms import read_date
from agencies.portal.pages import render
from agencies.portal.report_view import SECTION_TITLES, portal_report
from flows.report.model import BoardReport
from flows.report.settings import (
    DEFAULT_FIELDS,
    LABELS,
    built_in_defaults,
    check_text,
    front_sheet_defaults,
    latest_texts,
    set_report_texts,
)
from flows.rounds.views import get_round
from models.errors import InputError, NotFoundError
from models.report_settings import FRONT_SHEET_FIELDS, HIGHLIGHT_PREFIX

router = APIRouter(prefix="/{round_id}/edit")
HINTS = {
    "meeting": "The meeting the report goes to, for example Safeguarding Partnership Board",
    "item_number": "Its number on the agenda",
    "authorised_by": "Name and role, for example Lisa Redfern, Director of Children's Services",
    "lead_officer": "Name and role",
}
TEXT_HINT = (
    "Leave a blank line between paragraphs. Start a line with - for a list. Put *stars* "
    "around words to emphasise them. Do not write anything that could identify a child."
)
ANCHORS = {"front-sheet": "title", "highlights": "strengths", "impact": "reaudit"}


def _report(session: Session, round_id: int, at: datetime) -> BoardReport:
    try:
        return portal_report(session=session, round_id=round_id, today=at.date())
    except NotFoundError:
        raise not_found() from None


def _fields(report: BoardReport, what: str) -> list[str]:
    if what == "front-sheet":
        return list(FRONT_SHEET_FIELDS)
    if what == "defaults":
        return list(DEFAULT_FIELDS)
    if what == "highlights":
        found = report.strengths + report.weaknesses + report.other_findings
        return [HIGHLIGHT_PREFIX + h.question_id for h in found]
    if what in SECTION_TITLES:
        return [what]
    raise not_found()


def _page(
    request: Request,
    session: Session,
    report: BoardReport,
    what: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    date_parts: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form, with the stored (or just refused) values and any errors."""
    scope = None if what == "defaults" else report.round_id
    values = values if values is not None else latest_texts(session=session, round_id=scope)
    context: dict[str, object] = {
        "round_id": report.round_id, "what": what, "errors": errors or {}, "hint": TEXT_HINT,
        "values": values,
    }  # fmt: skip
    if what in ("front-sheet", "defaults"):
        title = get_round(session=session, round_id=report.round_id).title
        shown = front_sheet_defaults if what == "front-sheet" else built_in_defaults
        context["defaults"] = shown(session=session, round_title=title)
        context["fields"] = [(f, LABELS[f], HINTS.get(f, "")) for f in _fields(report, what)]
        stored = values.get("meeting_date", "")
        year, month, day = stored.split("-") if stored.count("-") == 2 else ("", "", "")
        context["date"] = date_parts or {
            "day": day.lstrip("0"), "month": month.lstrip("0"), "year": year,
        }  # fmt: skip
        template = "views/reports/edit_front_sheet.html"
    elif what == "highlights":
        context["highlights"] = report.strengths + report.weaknesses + report.other_findings
        template = "views/reports/edit_highlights.html"
    else:
        context["title"] = SECTION_TITLES[what]
        template = "views/reports/edit_text.html"
    return render(request, template, status_code=400 if errors else 200, **context)


@router.get("/{what}", response_class=HTMLResponse)
def edit_page(
    request: Request,
    round_id: int,
    what: str,
    _coordinator: Coordinator,
    session: SessionDep,
    at: Now,
) -> HTMLResponse:
    """The form for the front sheet, one section's narrative, or the highlights' notes."""
    report = _report(session, round_id, at)
    _fields(report, what)
    return _page(request, session, report, what)


def _date_parts(form: FormData) -> dict[str, str]:
    return {p: str(form.get(f"meeting_date-{p}") or "").strip() for p in ("day", "month", "year")}


def _read(form: FormData, fields: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The submitted values and, per field, what is wrong with it."""
    values = {f: str(form.get(f) or "") for f in fields if f != "meeting_date"}
    errors: dict[str, str] = {}
    if "meeting_date" in fields:
        parts = _date_parts(form)
        values["meeting_date"] = ""
        if any(parts.values()):
            day, problem = read_date(
                parts["day"], parts["month"], parts["year"],
                incomplete="Enter the meeting date's day, month and year",
                invalid="Enter the meeting date as a real date, for example 6 3 2027",
            )  # fmt: skip
            if problem:
                errors["meeting_date"] = problem
            else:
                values["meeting_date"] = day.isoformat() if day else ""
    for field, text in values.items():
        try:
            check_text(field, text)
        except InputError as error:
            errors.setdefault(field, str(error))
    return values, errors


@router.post("/{what}", response_model=None)
async def save(
    request: Request, round_id: int, what: str, who: Coordinator, session: SessionDep, at: Now
) -> Response:
    """Store the changed fields as new versions, then back to the report."""
    report = _report(session, round_id, at)
    form = await request.form()
    values, errors = _read(form, _fields(report, what))
    if errors:
        return _page(request, session, report, what, values, errors, _date_parts(form))
    scope = None if what == "defaults" else round_id
    set_report_texts(session=session, round_id=scope, values=values, now=at, actor=actor(who))
    session.commit()
    if what == "defaults":
        return RedirectResponse(f"/reports/{round_id}/edit/front-sheet", status_code=303)
    return RedirectResponse(f"/reports/{round_id}#{ANCHORS.get(what, what)}", status_code=303)
