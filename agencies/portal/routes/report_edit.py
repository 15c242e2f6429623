"""The coordinator's edits to a board report: its front sheet, each section's narrative and
notes on the highlights (each save a new audited version; nothing changes on bad input)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.portal.deps import coordinator, db_session, not_found, now
from agencies.portal.pages import render
from agencies.portal.report_view import SECTION_TITLES, portal_report
from flows.report.model import Highlight
from flows.report.settings import LABELS, latest_texts, set_report_texts
from models.errors import InputError, NotFoundError
from models.report_settings import FRONT_SHEET_FIELDS, HIGHLIGHT_PREFIX

router = APIRouter(prefix="/{round_id}/edit")
HINTS = {
    "meeting": "For example, Safeguarding Partnership Board",
    "meeting_date": "As YYYY-MM-DD, for example 2027-03-06",
    "authorised_by": "Name and role, for example Lisa Redfern, Director of Children's Services",
    "lead_officer": "Name and role",
}
TEXT_HINT = (
    "Leave a blank line between paragraphs. Start a line with - for a list. Put *stars* "
    "around words to emphasise them. Do not write anything that could identify a child."
)


def _highlights(session: Session, round_id: int, at: datetime) -> list[Highlight]:
    try:
        report = portal_report(session=session, round_id=round_id, today=at.date())
    except NotFoundError:
        raise not_found() from None
    return report.strengths + report.weaknesses + report.other_findings


def _page(
    request: Request,
    session: Session,
    round_id: int,
    what: str,
    at: datetime,
    values: dict[str, str] | None = None,
    error: str = "",
) -> HTMLResponse:
    """The form, with the stored (or just refused) values and any error."""
    stored = latest_texts(session=session, round_id=round_id)
    context: dict[str, object] = {"round_id": round_id, "what": what, "error": error}
    if what == "front-sheet":
        defaults = latest_texts(session=session, round_id=None)
        template = "views/reports/edit_front_sheet.html"
        context["fields"] = [
            (f, LABELS[f], HINTS.get(f, ""), (values or stored).get(f, ""), defaults.get(f, ""))
            for f in FRONT_SHEET_FIELDS
        ]
    elif what == "highlights":
        template = "views/reports/edit_highlights.html"
        context["highlights"] = [
            (h, (values or stored).get(HIGHLIGHT_PREFIX + h.question_id, ""))
            for h in _highlights(session, round_id, at)
        ]
    elif what in SECTION_TITLES:
        template = "views/reports/edit_text.html"
        context["title"] = SECTION_TITLES[what]
        context["text"] = (values or stored).get(what, "")
    else:
        raise not_found()
    context["hint"] = TEXT_HINT
    return render(request, template, status_code=400 if error else 200, **context)


@router.get("/{what}", response_class=HTMLResponse)
def edit_page(
    request: Request,
    round_id: int,
    what: str,
    session: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> HTMLResponse:
    """The form for the front sheet, one section's narrative, or the highlights' notes."""
    coordinator(session, request)
    _highlights(session, round_id, at)  # 404 for a round without a report
    return _page(request, session, round_id, what, at)


@router.post("/{what}", response_model=None)
async def save(
    request: Request,
    round_id: int,
    what: str,
    session: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    """Store the changed fields as new versions, then back to the report."""
    who = coordinator(session, request)
    form = await request.form()
    if what == "front-sheet":
        fields = list(FRONT_SHEET_FIELDS)
    elif what == "highlights":
        fields = [HIGHLIGHT_PREFIX + h.question_id for h in _highlights(session, round_id, at)]
    elif what in SECTION_TITLES:
        _highlights(session, round_id, at)
        fields = [what]
    else:
        raise not_found()
    values = {f: str(form.get(f) or "") for f in fields}
    try:
        set_report_texts(
            session=session, round_id=round_id, values=values, now=at, actor=f"person:{who.id}"
        )
    except InputError as error:
        session.rollback()
        message = str(error)
        return _page(
            request, session, round_id, what, at, values, message[:1].upper() + message[1:]
        )
    session.commit()
    anchor = {"front-sheet": "title", "highlights": "strengths", "impact": "reaudit"}.get(
        what, what
    )
    return RedirectResponse(f"/reports/{round_id}#{anchor}", status_code=303)
