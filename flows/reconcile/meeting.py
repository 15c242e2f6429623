"""The moderation meeting's agenda and decisions: every case-level item of a round, each agreed
through `moderate_answer` and followed by a fresh reconciliation (what `round moderate-answer`
then `round reconcile` do on the command line)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from flows.reconcile.findings import CaseAnswers, Findings
from flows.reconcile.run import moderate_answer, reconcile_round, record_meeting
from flows.reconcile.shared import SCORE_LABELS, typed
from models.agency import Agency
from models.answers import Answer, AnswerSet, counted_answers
from models.case import Case
from models.moderation import ModerationAttendee, ModerationMeeting
from models.questionnaire import BaseQuestion, Tool
from models.questionnaire.scales import NA
from models.round import Assignment, MemberStatus, RoundAgency

CONFIRMED = "No discrepancy between agencies: the provisional answer was confirmed."


@dataclass(frozen=True)
class MeetingItem:
    """One case and shared question: the agencies' answers and what the meeting agreed."""

    case_ref: str
    question_id: str
    question: str
    answers: dict[str, str]
    provisional: str | None
    suggested: str | None
    agreed: str | None
    resolution: str | None
    rank: int | None

    @property
    def discrepant(self) -> bool:
        """Whether the item is on the agenda (the agencies disagree)."""
        return self.rank is not None


def answer_value(question: BaseQuestion, label: str) -> str | None:
    """The stored value of an answer label as findings show it ("Yes" → "yes", "N/A" → "na")."""
    values = {shown: value for value, shown in question.choices()}
    values.update({"N/A": NA, question.label_of(NA): NA})
    return values.get(label)


def suggested_answer(question: BaseQuestion, case: CaseAnswers) -> str | None:
    """The answer that prefills the agreement: the agencies' commonest answer whose standard
    score is the provisional roll-up (first on the scale when tied), else N/A if all said so."""
    given = [v for label in case.answers.values() if (v := answer_value(question, label))]
    if case.provisional is None:
        return NA if given and set(given) == {NA} and question.allows_na else None
    scores = {v: question.meets_standard(typed(question, v)) for v in set(given) - {NA}}
    matching = [
        v
        for v in given
        if (s := scores.get(v)) is not None and SCORE_LABELS.get(s) == case.provisional
    ]
    if not matching:
        return None
    order = [value for value, _label in question.choices()]
    counts = Counter(matching)
    return min(counts, key=lambda v: (-counts[v], order.index(v) if v in order else len(order)))


def meeting_items(findings: Findings, tool: Tool) -> list[MeetingItem]:
    """Every case of every shared question that an agency answered: the ranked agenda first,
    then the rest by question and case."""
    rank = {(d.case_ref, d.question_id): r for r, d in enumerate(findings.discrepancies, 1)}
    items = []
    for found in findings.questions:
        if not found.shared:
            continue
        question = tool.question(found.id)
        for case in found.cases:
            if not case.answers:
                continue
            agreed = None if case.moderated is None else answer_value(question, case.moderated)
            items.append(
                MeetingItem(
                    case_ref=case.case_ref,
                    question_id=found.id,
                    question=found.text,
                    answers=case.answers,
                    provisional=case.provisional,
                    suggested=suggested_answer(question, case),
                    agreed=agreed,
                    resolution=case.resolution,
                    rank=rank.get((case.case_ref, found.id)),
                )
            )
    on_agenda = sorted((i for i in items if i.rank is not None), key=lambda i: i.rank or 0)
    return on_agenda + [i for i in items if i.rank is None]


def case_comments(
    *, session: Session, round_id: int, tool: Tool, case_refs: Sequence[str]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Each agency's free-text answers about each of these cases, keyed (case, agency code):
    (question wording, text) in the tool's order."""
    texts = {q.id: q.text for q in tool.questions() if q.kind == "text"}
    if not texts or not case_refs:
        return {}
    rows = session.exec(
        select(Case.case_ref, Agency.code, Answer.question_id, Answer.text)
        .join(AnswerSet, col(AnswerSet.id) == col(Answer.answer_set_id))
        .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(
            counted_answers(round_id),
            col(Case.case_ref).in_(list(case_refs)),
            col(Answer.question_id).in_(list(texts)),
            col(Answer.text).is_not(None),
        )
    ).all()
    order = list(texts)
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for case_ref, code, question_id, text in sorted(rows, key=lambda r: order.index(r[2])):
        if text and text.strip():
            found.setdefault((case_ref, code), []).append((texts[question_id], text.strip()))
    return found


@dataclass(frozen=True)
class MeetingRecord:
    """The recorded meeting: its date, the agency codes present and the notes."""

    held_on: date
    attendees: list[str]
    notes: str


def round_agencies(*, session: Session, round_id: int) -> list[tuple[str, str]]:
    """The round's active agencies as (code, name), by name."""
    rows = session.exec(
        select(Agency.code, Agency.name)
        .join(RoundAgency, col(RoundAgency.agency_id) == col(Agency.id))
        .where(
            col(RoundAgency.round_id) == round_id, col(RoundAgency.status) == MemberStatus.active
        )
        .order_by(col(Agency.name))
    ).all()
    return [(code, name) for code, name in rows]


def meeting_record(*, session: Session, round_id: int) -> MeetingRecord | None:
    """The round's recorded moderation meeting, or None before it is recorded."""
    meeting = session.get(ModerationMeeting, round_id)
    if meeting is None:
        return None
    codes = session.exec(
        select(Agency.code)
        .join(ModerationAttendee, col(ModerationAttendee.agency_id) == col(Agency.id))
        .where(col(ModerationAttendee.round_id) == round_id)
        .order_by(col(Agency.code))
    ).all()
    return MeetingRecord(held_on=meeting.held_on, attendees=list(codes), notes=meeting.notes)


def hold_meeting(
    *,
    session: Session,
    round_id: int,
    held_on: date,
    attendees: Sequence[str],
    notes: str,
    now: datetime,
    actor: str,
) -> Findings:
    """Record the meeting and reconcile again, so case-level figures count as moderated."""
    record_meeting(
        session=session,
        round_id=round_id,
        held_on=held_on,
        attendees=attendees,
        notes=notes,
        now=now,
        actor=actor,
    )
    return reconcile_round(session=session, round_id=round_id, now=now, actor=actor)


def agree_answers(
    *,
    session: Session,
    round_id: int,
    decisions: Sequence[tuple[str, str, str, str | None]],
    now: datetime,
    actor: str,
) -> Findings:
    """Record agreed answers, each (case, question, value, resolution), then reconcile once."""
    for case_ref, question_id, value, resolution in decisions:
        moderate_answer(
            session=session,
            round_id=round_id,
            case_ref=case_ref,
            question_id=question_id,
            value=value,
            resolution=resolution,
            now=now,
            actor=actor,
        )
    return reconcile_round(session=session, round_id=round_id, now=now, actor=actor)


def undisputed(items: Sequence[MeetingItem]) -> list[tuple[str, str, str, str | None]]:
    """The decisions that confirm every item off the agenda not yet agreed, where an answer
    can be suggested."""
    return [
        (i.case_ref, i.question_id, i.suggested, CONFIRMED)
        for i in items
        if not i.discrepant and i.agreed is None and i.suggested is not None
    ]
