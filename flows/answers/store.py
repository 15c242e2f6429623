"""An agency's answers about one case: drafts, submission and amendment, one typed row each.

Every function takes an `AssignmentView` from `flows.answers.access`, so it is already
scoped to an agency the person holds a grant for (or, for agency systems, the agency of their
API key: they pass `actor="api-key:{id}"` and no person). An amendment is a new version: the
submitted one stays current (and counts in reconciliation) until the amendment is submitted,
then it is marked superseded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from flows.answers.access import AssignmentView
from models.answers import Answer, AnswerOption, AnswerSet, AnswerSetStatus, answer_value
from models.audit_log import record_event
from models.errors import ConflictError
from models.questionnaire import KNOWN_QUESTION_ID, Question
from models.questionnaire import Answer as AnswerValue
from models.round import ANSWERED, AccessGrant, Assignment, AssignmentStatus

CLOSED = "collection for this round has closed: answers can no longer change"
READ_ONLY = "these answers are submitted: choose Amend to change them"


@dataclass(frozen=True)
class LoadedAnswers:
    """The answer set a page shows (the newest draft, else the submitted one) and its values."""

    answer_set: AnswerSet | None
    values: dict[str, AnswerValue]
    submitted: AnswerSet | None

    @property
    def editable(self) -> bool:
        """Whether the page shows a form (no submission yet, or an amendment under way)."""
        return self.answer_set is None or self.answer_set.status == AnswerSetStatus.draft


def _sets(*, session: Session, assignment_id: int) -> list[AnswerSet]:
    return list(
        session.exec(
            select(AnswerSet)
            .where(col(AnswerSet.assignment_id) == assignment_id)
            .order_by(col(AnswerSet.version).desc())
        )
    )


def read_values(*, session: Session, answer_set_id: int) -> dict[str, AnswerValue]:
    """The typed answers of one answer set, by question id."""
    rows = session.exec(select(Answer).where(col(Answer.answer_set_id) == answer_set_id)).all()
    options: dict[int, list[str]] = {}
    ids = [row.id for row in rows if row.id is not None]
    for answer_id, option_id in session.exec(
        select(AnswerOption.answer_id, AnswerOption.option_id)
        .where(col(AnswerOption.answer_id).in_(ids))
        .order_by(col(AnswerOption.option_id))
    ):
        options.setdefault(answer_id, []).append(option_id)
    values: dict[str, AnswerValue] = {}
    for row in rows:
        value = answer_value(row, options.get(row.id or 0, []))
        if value is not None:
            values[row.question_id] = value
    return values


def load_answers(*, session: Session, view: AssignmentView) -> LoadedAnswers:
    """What the case page shows: the draft under way, else the submitted answers."""
    assert view.assignment.id is not None
    sets = _sets(session=session, assignment_id=view.assignment.id)
    current = next((s for s in sets if s.status != AnswerSetStatus.superseded), None)
    submitted = next((s for s in sets if s.status == AnswerSetStatus.submitted), None)
    values = {} if current is None else read_values(session=session, answer_set_id=current.id or 0)
    return LoadedAnswers(current, values, submitted)


def _write_rows(
    *,
    session: Session,
    answer_set_id: int,
    questions: Mapping[str, Question],
    values: Mapping[str, AnswerValue],
) -> None:
    old = select(Answer.id).where(col(Answer.answer_set_id) == answer_set_id)
    session.execute(delete(AnswerOption).where(col(AnswerOption.answer_id).in_(old)))
    session.execute(delete(Answer).where(col(Answer.answer_set_id) == answer_set_id))
    for question_id, value in values.items():
        row = Answer(answer_set_id=answer_set_id, question_id=question_id)
        kind = questions[question_id].type
        if kind == "text":
            row.text = str(value)
        elif isinstance(value, str):
            row.choice = value
        elif isinstance(value, bool):
            raise TypeError("a boolean is not an answer")
        elif isinstance(value, int | float):
            row.number = float(value)
        elif isinstance(value, date):
            row.day = value
        session.add(row)
        if kind == "multi_choice" and isinstance(value, list | tuple):
            session.flush()
            session.add_all(AnswerOption(answer_id=row.id or 0, option_id=o) for o in value)
    session.flush()


def _open_draft(*, session: Session, view: AssignmentView, now: datetime) -> AnswerSet:
    if not view.collecting:
        raise ConflictError(CLOSED)
    loaded = load_answers(session=session, view=view)
    if loaded.answer_set is not None and loaded.answer_set.status == AnswerSetStatus.draft:
        return loaded.answer_set
    if loaded.answer_set is not None:
        raise ConflictError(READ_ONLY)
    draft = AnswerSet(assignment_id=view.assignment.id or 0, created_at=now, updated_at=now)
    session.add(draft)
    session.flush()
    return draft


def _touch(assignment: Assignment, status: AssignmentStatus | None, now: datetime) -> None:
    if status is not None:
        assignment.status = status
    assignment.updated_at = now


def _write_draft(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    values: Mapping[str, AnswerValue],
    now: datetime,
) -> AnswerSet:
    """The open draft of the assignment, with these answers written into it."""
    draft = _open_draft(session=session, view=view, now=now)
    by_id = {q.id: q for q in questions}
    _write_rows(session=session, answer_set_id=draft.id or 0, questions=by_id, values=values)
    return draft


def save_draft(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    values: Mapping[str, AnswerValue],
    person_id: int | None,
    now: datetime,
    actor: str | None = None,
) -> AnswerSet:
    """Keep what has been typed so far (valid answers only); nothing is checked for completeness."""
    draft = _write_draft(session=session, view=view, questions=questions, values=values, now=now)
    draft.updated_at = now
    if view.assignment.status == AssignmentStatus.not_started:
        _touch(view.assignment, AssignmentStatus.in_progress, now)
    record_event(
        session=session,
        actor=actor or f"person:{person_id}",
        action="answers.draft_saved",
        entity_type="assignment",
        entity_id=view.assignment.id,
        now=now,
    )
    return draft


def submit(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    values: Mapping[str, AnswerValue],
    person_id: int | None,
    now: datetime,
    actor: str | None = None,
) -> AnswerSet:
    """Submit complete answers (already checked by `check.check_answers(complete=True)`), and
    stop the agency's reminders when nothing of theirs is outstanding."""
    draft = _write_draft(session=session, view=view, questions=questions, values=values, now=now)
    for previous in _sets(session=session, assignment_id=view.assignment.id or 0):
        if previous.status == AnswerSetStatus.submitted:
            previous.status, previous.updated_at = AnswerSetStatus.superseded, now
    session.flush()
    draft.status, draft.submitted_at, draft.submitted_by = AnswerSetStatus.submitted, now, person_id
    draft.updated_at = now
    not_known = values.get(KNOWN_QUESTION_ID) == "no"
    _touch(
        view.assignment,
        AssignmentStatus.not_known if not_known else AssignmentStatus.submitted,
        now,
    )
    view.assignment.submitted_at = now
    record_event(
        session=session,
        actor=actor or f"person:{person_id}",
        action="answers.submitted",
        entity_type="assignment",
        entity_id=view.assignment.id,
        now=now,
        details={"version": draft.version, "not_known": not_known},
    )
    # In the same transaction: a submission never stands while its reminders still wait.
    _stop_chasing_when_answered(session=session, view=view, now=now)
    return draft


def amend(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    person_id: int | None,
    now: datetime,
    actor: str | None = None,
) -> AnswerSet:
    """Start an amendment: a new draft version holding a copy of the submitted answers."""
    if not view.collecting:
        raise ConflictError(CLOSED)
    loaded = load_answers(session=session, view=view)
    if loaded.answer_set is None or loaded.answer_set.status != AnswerSetStatus.submitted:
        return _open_draft(session=session, view=view, now=now)
    version = session.execute(
        select(func.max(AnswerSet.version)).where(
            col(AnswerSet.assignment_id) == view.assignment.id
        )
    ).scalar_one()
    draft = AnswerSet(
        assignment_id=view.assignment.id or 0,
        version=int(version) + 1,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    by_id = {q.id: q for q in questions}
    kept = {key: value for key, value in loaded.values.items() if key in by_id}
    _write_rows(session=session, answer_set_id=draft.id or 0, questions=by_id, values=kept)
    record_event(
        session=session,
        actor=actor or f"person:{person_id}",
        action="answers.amend_started",
        entity_type="assignment",
        entity_id=view.assignment.id,
        now=now,
        details={"version": draft.version},
    )
    return draft


def _stop_chasing_when_answered(*, session: Session, view: AssignmentView, now: datetime) -> None:
    """Cancel the reminders to the agency's people once none of its cases is outstanding."""
    from flows.chase.sweep import cancel_chasers

    outstanding = session.exec(
        select(Assignment.id).where(
            col(Assignment.round_id) == view.round.id,
            col(Assignment.agency_id) == view.agency.id,
            col(Assignment.status).not_in([*ANSWERED, AssignmentStatus.withdrawn]),
        )
    ).first()
    if outstanding is not None:
        return
    people = session.exec(
        select(AccessGrant.person_id).where(
            col(AccessGrant.round_id) == view.round.id,
            col(AccessGrant.agency_id) == view.agency.id,
        )
    ).all()
    cancel_chasers(
        session=session, round_id=view.round.id or 0, person_ids=sorted(set(people)), now=now
    )
