"""Loading what the board report needs beyond the findings: timeliness, comments, actions."""

from __future__ import annotations

from sqlmodel import Session, col, select

from flows.report.model import ActionItem, AgencyResponse, Comment
from flows.rounds.views import agency_due_dates
from models.agency import Agency
from models.answers import Answer, AnswerSet, AnswerSetStatus
from models.calendar import end_of_day
from models.questionnaire import Tool
from models.round import ANSWERED, Assignment, AssignmentStatus, AuditRound


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def agency_responses(*, session: Session, round_: AuditRound) -> list[AgencyResponse]:
    """Per agency: response rate (answered of assigned) and answers in by the due date."""
    dues = agency_due_dates(session=session, round_=round_)
    rows = session.exec(
        select(Assignment, Agency.code)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(
            col(Assignment.round_id) == round_.id,
            col(Assignment.status) != AssignmentStatus.withdrawn,
        )
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for assignment, code in rows:
        entry = counts.setdefault(code, dict.fromkeys(("all", "sub", "nk", "on_time"), 0))
        entry["all"] += 1
        entry["sub"] += assignment.status == AssignmentStatus.submitted
        entry["nk"] += assignment.status == AssignmentStatus.not_known
        due = dues.get(assignment.agency_id, round_.due_date)
        entry["on_time"] += bool(
            assignment.status in ANSWERED
            and assignment.submitted_at is not None
            and assignment.submitted_at <= end_of_day(due)
        )
    return [
        AgencyResponse(
            agency=code,
            assignments=c["all"],
            submitted=c["sub"],
            not_known=c["nk"],
            outstanding=c["all"] - c["sub"] - c["nk"],
            on_time=c["on_time"],
            response_percent=_percent(c["sub"] + c["nk"], c["all"]),
            on_time_percent=_percent(c["on_time"], c["all"]),
        )
        for code, c in sorted(counts.items())
    ]


def comments(*, session: Session, round_id: int, tool: Tool) -> list[Comment]:
    """Free-text answers of submitted answer sets, by question then agency (no case refs)."""
    texts = {q.id: q.text for q in tool.questions() if q.kind == "text"}
    if not texts:
        return []
    rows = session.exec(
        select(Answer.question_id, Agency.code, Answer.text)
        .join(AnswerSet, col(AnswerSet.id) == col(Answer.answer_set_id))
        .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(
            col(Assignment.round_id) == round_id,
            col(Assignment.status) == AssignmentStatus.submitted,
            col(AnswerSet.status) == AnswerSetStatus.submitted,
            col(Answer.question_id).in_(list(texts)),
            col(Answer.text).is_not(None),
        )
    ).all()
    order = list(texts)
    found = [
        Comment(question_id=qid, question=texts[qid], agency=code, text=text.strip())
        for qid, code, text in rows
        if text and text.strip()
    ]
    return sorted(found, key=lambda c: (order.index(c.question_id), c.agency, c.text))


def load_actions(*, session: Session, round_id: int) -> list[ActionItem] | None:
    """The round's action plan, or None where the action plan module is not installed."""
    try:
        from flows.action_plan.manage import list_actions
    except ImportError:
        return None
    return [
        ActionItem(
            what=a.what,
            how=a.how,
            owner=a.owner,
            due=a.due_date,
            success_measure=a.success_measure,
            status=a.status,
        )
        for a in list_actions(session=session, round_id=round_id)
    ]
