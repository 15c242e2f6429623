"""The moderation meeting: record it, agree each case-level answer, present cases on a screen."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor, not_found
from agencies.portal.coordinator_views import page, round_or_404
from agencies.portal.moderation_forms import MeetingForm, read_agreement, read_meeting
from flows.reconcile.findings import Findings
from flows.reconcile.load import round_tool
from flows.reconcile.meeting import (
    MeetingItem,
    agree_answers,
    case_comments,
    hold_meeting,
    meeting_items,
    meeting_record,
    round_agencies,
    undisputed,
)
from flows.reconcile.run import latest_findings
from models.agency import agency_names
from models.errors import JointauditError, NotFoundError
from models.questionnaire import Tool
from models.questionnaire.scales import NA

router = APIRouter(prefix="/coordinator")

NOTICES = {
    "meeting": "The meeting is recorded and the findings are reconciled again",
    "item": "The agreed answer is saved and the findings are reconciled again",
    "confirmed": "The cases with no discrepancy are confirmed",
}


@dataclass(frozen=True)
class ItemView:
    """An item with agency names, its answer options and each agency's comments."""

    item: MeetingItem
    number: int
    answers: list[tuple[str, str, list[tuple[str, str]]]]
    choices: list[tuple[str, str]]


@dataclass(frozen=True)
class Slide:
    """One case of the agenda as the presenting view shows it."""

    case_ref: str
    questions: list[tuple[str, list[tuple[str, str]], str | None]]


def _findings(session: Session, round_id: int) -> Findings | None:
    try:
        return latest_findings(session=session, round_id=round_id)
    except NotFoundError:
        return None


def _choices(tool: Tool, question_id: str) -> list[tuple[str, str]]:
    question = tool.question(question_id)
    choices = list(question.choices())
    return [*choices, (NA, "Not applicable")] if question.allows_na else choices


def _views(
    session: Session, round_id: int, findings: Findings, tool: Tool
) -> tuple[list[ItemView], dict[str, str]]:
    items = meeting_items(findings, tool)
    codes = sorted({code for i in items for code in i.answers})
    names = agency_names(session=session, codes=codes)
    agenda_refs = sorted({i.case_ref for i in items if i.discrepant})
    comments = case_comments(session=session, round_id=round_id, tool=tool, case_refs=agenda_refs)
    views = [
        ItemView(
            item=item,
            number=number,
            answers=[
                (names[code], label, comments.get((item.case_ref, code), []) if item.rank else [])
                for code, label in item.answers.items()
            ],
            choices=_choices(tool, item.question_id),
        )
        for number, item in enumerate(items, start=1)
    ]
    return views, names


def _meeting_page(
    request: Request,
    session: Session,
    round_id: int,
    *,
    form: MeetingForm | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[int, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    round_ = round_or_404(session=session, round_id=round_id)
    findings = _findings(session, round_id)
    if findings is None:
        return page(request, "moderation/meeting.html", round=round_, findings=None)
    tool = round_tool(session=session, round_id=round_id)
    views, _names = _views(session, round_id, findings, tool)
    record = meeting_record(session=session, round_id=round_id)
    if form is None:
        form = (
            MeetingForm.of(record.held_on, record.attendees, record.notes)
            if record
            else MeetingForm()
        )
    return page(
        request,
        "moderation/meeting.html",
        status_code=status_code,
        round=round_,
        findings=findings,
        record=record,
        form=form,
        agencies=round_agencies(session=session, round_id=round_id),
        agenda=[v for v in views if v.item.discrepant],
        others=[v for v in views if not v.item.discrepant],
        agreed=sum(1 for v in views if v.item.agreed is not None),
        total=len(views),
        to_confirm=len(undisputed([v.item for v in views])),
        errors=errors or {},
        typed=typed or {},
        notice=NOTICES.get(request.query_params.get("saved", "")),
    )


@router.get("/rounds/{round_id}/moderation", response_class=HTMLResponse)
def meeting_page(
    request: Request, _who: Coordinator, round_id: int, session: SessionDep
) -> HTMLResponse:
    """The meeting: its record, progress, the agenda case by case and the undisputed cases."""
    return _meeting_page(request, session, round_id)


def _refused(
    request: Request, session: Session, round_id: int, error: JointauditError, key: str
) -> HTMLResponse:
    session.rollback()
    return _meeting_page(request, session, round_id, errors={key: str(error)}, status_code=409)


@router.post("/rounds/{round_id}/moderation/meeting", response_model=None)
async def record_meeting_form(
    request: Request, who: Coordinator, round_id: int, session: SessionDep, at: Now
) -> Response:
    """Record (or correct) the meeting, then reconcile so the figures count as moderated."""
    round_or_404(session=session, round_id=round_id)
    codes = [code for code, _name in round_agencies(session=session, round_id=round_id)]
    form, errors = read_meeting(await request.form(), codes)
    if errors or form.held_on is None:
        return _meeting_page(request, session, round_id, form=form, errors=errors, status_code=400)
    try:
        hold_meeting(
            session=session,
            round_id=round_id,
            held_on=form.held_on,
            attendees=form.attendees,
            notes=form.notes,
            now=at,
            actor=actor(who),
        )
    except JointauditError as error:
        return _refused(request, session, round_id, error, "held-day")
    session.commit()
    return RedirectResponse(
        f"/coordinator/rounds/{round_id}/moderation?saved=meeting", status_code=303
    )


@router.post("/rounds/{round_id}/moderation/items/{number}", response_model=None)
async def agree_item(
    request: Request, who: Coordinator, round_id: int, number: int, session: SessionDep, at: Now
) -> Response:
    """Record one item's agreed answer and how the disagreement was resolved."""
    round_or_404(session=session, round_id=round_id)
    findings = _findings(session, round_id)
    if findings is None:
        raise not_found()
    tool = round_tool(session=session, round_id=round_id)
    items = meeting_items(findings, tool)
    if not 1 <= number <= len(items):
        raise not_found()
    item = items[number - 1]
    form = await request.form()
    if form.get("case_ref") != item.case_ref:
        # The agenda changed since the page was opened (a case withdrawn): show it again.
        return RedirectResponse(f"/coordinator/rounds/{round_id}/moderation", status_code=303)
    choices = [value for value, _label in _choices(tool, item.question_id)]
    value, resolution, errors = read_agreement(form, choices, discrepant=item.discrepant)
    if errors:
        keyed = {f"item-{number}-{name}": message for name, message in errors.items()}
        typed = {number: {"value": value, "resolution": resolution}}
        return _meeting_page(request, session, round_id, errors=keyed, typed=typed, status_code=400)
    try:
        agree_answers(
            session=session,
            round_id=round_id,
            decisions=[(item.case_ref, item.question_id, value, resolution)],
            now=at,
            actor=actor(who),
        )
    except JointauditError as error:
        return _refused(request, session, round_id, error, f"item-{number}-value")
    session.commit()
    return RedirectResponse(
        f"/coordinator/rounds/{round_id}/moderation?saved=item#item-{number}", status_code=303
    )


@router.post("/rounds/{round_id}/moderation/confirm", response_model=None)
def confirm_undisputed(
    request: Request, who: Coordinator, round_id: int, session: SessionDep, at: Now
) -> Response:
    """Confirm every case with no discrepancy at its provisional answer, in one go."""
    round_or_404(session=session, round_id=round_id)
    findings = _findings(session, round_id)
    if findings is None:
        raise not_found()
    decisions = undisputed(meeting_items(findings, round_tool(session=session, round_id=round_id)))
    if decisions:
        try:
            agree_answers(
                session=session, round_id=round_id, decisions=decisions, now=at, actor=actor(who)
            )
        except JointauditError as error:
            return _refused(request, session, round_id, error, "confirm")
        session.commit()
    return RedirectResponse(
        f"/coordinator/rounds/{round_id}/moderation?saved=confirmed#undisputed", status_code=303
    )


def slides(findings: Findings, tool: Tool, names: dict[str, str]) -> list[Slide]:
    """The agenda grouped by case, in the order each case first comes up."""
    by_case: dict[str, Slide] = {}
    for item in meeting_items(findings, tool):
        if not item.discrepant:
            continue
        answers = [(names.get(code, code), label) for code, label in item.answers.items()]
        agreed = tool.question(item.question_id).label_of(item.agreed) if item.agreed else None
        slide = by_case.setdefault(item.case_ref, Slide(item.case_ref, []))
        slide.questions.append((item.question, answers, agreed))
    return list(by_case.values())


@router.get("/rounds/{round_id}/moderation/present/{number}", response_class=HTMLResponse)
def present(
    request: Request, _who: Coordinator, round_id: int, number: int, session: SessionDep
) -> HTMLResponse:
    """One agenda case at a time, in large type, for a projector: no identities, no names."""
    round_ = round_or_404(session=session, round_id=round_id)
    findings = _findings(session, round_id)
    if findings is None:
        raise not_found()
    tool = round_tool(session=session, round_id=round_id)
    codes = sorted({code for d in findings.discrepancies for code in d.answers})
    shown = slides(findings, tool, agency_names(session=session, codes=codes))
    if not 1 <= number <= max(len(shown), 1):
        raise not_found()
    return page(
        request,
        "moderation/present.html",
        round=round_,
        slide=shown[number - 1] if shown else None,
        number=number,
        count=len(shown),
    )
