"""An agency's answers about one case: drafts, submission and amendment, one typed row each.

Every function takes an `AssignmentView` from `flows.answers.access`, so it is already
scoped to an agency the person holds a grant for (or, for agency systems, the agency of their
API key: they pass `actor="api-key:{id}"` and no person). An amendment is a new version: the
submitted one stays current (and counts in reconciliation) until the amendment is submitted,
then it is marked superseded. The tables are written with Core statements (flows.answers.rows
and final_writes) in the caller's transaction; each change returns the answers as they now
stand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from flows.answers import final_writes, rows
from flows.answers.access import AssignmentView
from models.answers import AnswerSet, AnswerSetStatus
from models.audit_log import INSERT_EVENT_BOUND, event_params
from models.errors import ConflictError
from models.questionnaire import KNOWN_QUESTION_ID, Question
from models.questionnaire import Answer as AnswerValue
from models.round import AccessGrant, Assignment, AssignmentStatus
from models.statements import run_together

CLOSED = "collection for this round has closed: answers can no longer change"
READ_ONLY = "these answers are submitted: choose Amend to change them"
read_values = rows.read_values


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


def _current(sets: Sequence[AnswerSet]) -> AnswerSet | None:
    return next((s for s in sets if s.status != AnswerSetStatus.superseded), None)


def _submitted(sets: Sequence[AnswerSet]) -> AnswerSet | None:
    return next((s for s in sets if s.status == AnswerSetStatus.submitted), None)


def _sets(session: Session, view: AssignmentView) -> list[AnswerSet]:
    """The assignment's answer sets, newest first: those read with the view, else read now."""
    if view.answer_sets is not None:
        return list(view.answer_sets)
    return rows.read_sets(session=session, assignment_id=view.assignment.id or 0)


def load_answers(*, session: Session, view: AssignmentView) -> LoadedAnswers:
    """What the case page shows: the draft under way, else the submitted answers."""
    sets = _sets(session, view)
    current = _current(sets)
    values = {} if current is None else read_values(session=session, answer_set_id=current.id or 0)
    return LoadedAnswers(current, values, _submitted(sets))


def _open_draft(
    *, session: Session, view: AssignmentView, now: datetime
) -> tuple[AnswerSet, list[AnswerSet], bool]:
    """The assignment's draft (made if need be), every answer set newest first, and whether the
    draft is new."""
    if not view.collecting:
        raise ConflictError(CLOSED)
    sets = _sets(session, view)
    current = _current(sets)
    if current is not None and current.status == AnswerSetStatus.draft:
        return current, sets, False
    if current is not None:
        raise ConflictError(READ_ONLY)
    assignment_id = view.assignment.id or 0
    draft = rows.new_set(session=session, assignment_id=assignment_id, version=1, now=now)
    return draft, [draft, *sets], True


def _as_written(assignment: Assignment, **fields: object) -> None:
    """The view's copy of the assignment row as a statement has just written it."""
    for name, value in fields.items():
        set_committed_value(assignment, name, value)


def _write(
    *,
    session: Session,
    answer_set: AnswerSet,
    questions: Sequence[Question],
    values: Mapping[str, AnswerValue],
    replace: bool,
    together: bool = False,
) -> rows.Written:
    by_id = {q.id: q for q in questions}
    return rows.write_rows(
        session=session,
        answer_set_id=answer_set.id or 0,
        questions=by_id,
        values=values,
        replace=replace,
        together=together,
    )


def _event(
    view: AssignmentView,
    action: str,
    actor: str | None,
    person_id: int | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The audit event of a change to the assignment's answers, as statement parameters."""
    return event_params(
        actor=actor or f"person:{person_id}",
        action=action,
        entity_type="assignment",
        entity_id=view.assignment.id,
        now=now,
        details=details,
    )


def save_draft(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    values: Mapping[str, AnswerValue],
    person_id: int | None,
    now: datetime,
    actor: str | None = None,
) -> LoadedAnswers:
    """Keep what has been typed so far (valid answers only); nothing is checked for completeness."""
    draft, sets, new = _open_draft(session=session, view=view, now=now)
    written = _write(
        session=session,
        answer_set=draft,
        questions=questions,
        values=values,
        replace=not new,
        together=True,
    )
    event = _event(view, "answers.draft_saved", actor, person_id, now)
    params = {"p_set_id": draft.id, "p_assignment_id": view.assignment.id, "p_at": now}
    steps = (*written.steps, *final_writes.SAVE)
    run_together(session.connection(), steps, {**written.params, **params, **event})
    draft.updated_at = now
    if view.assignment.status == AssignmentStatus.not_started:
        _as_written(view.assignment, status=AssignmentStatus.in_progress.value, updated_at=now)
    return LoadedAnswers(draft, written.shown, _submitted(sets))


def submit(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    values: Mapping[str, AnswerValue],
    person_id: int | None,
    now: datetime,
    actor: str | None = None,
) -> LoadedAnswers:
    """Submit complete answers (already checked by `check.check_answers(complete=True)`), and
    stop the agency's reminders when nothing of theirs is outstanding."""
    draft, sets, new = _open_draft(session=session, view=view, now=now)
    written = _write(
        session=session,
        answer_set=draft,
        questions=questions,
        values=values,
        replace=not new,
        together=True,
    )
    not_known = values.get(KNOWN_QUESTION_ID) == "no"
    status = AssignmentStatus.not_known if not_known else AssignmentStatus.submitted
    details = {"version": draft.version, "not_known": not_known}
    params = {
        "p_set_id": draft.id,
        "p_assignment_id": view.assignment.id,
        "p_round_id": view.round.id,
        "p_agency_id": view.agency.id,
        "p_person_id": person_id,
        "p_status": status.value,
        "p_at": now,
        **_event(view, "answers.submitted", actor, person_id, now, details),
        **written.params,
    }
    # In the same transaction: a submission never stands while its reminders still wait.
    steps = (*written.steps, *final_writes.SUBMIT)
    outstanding = run_together(session.connection(), steps, params).first()
    for previous in sets:
        if previous.status == AnswerSetStatus.submitted and previous is not draft:
            previous.status, previous.updated_at = AnswerSetStatus.superseded, now
    draft.status, draft.submitted_at = AnswerSetStatus.submitted, now
    draft.submitted_by, draft.updated_at = person_id, now
    _as_written(view.assignment, status=status.value, submitted_at=now, updated_at=now)
    if outstanding is None:
        _stop_chasing(session=session, view=view, now=now)
    return LoadedAnswers(draft, written.shown, draft)


def amend(
    *,
    session: Session,
    view: AssignmentView,
    questions: list[Question],
    person_id: int | None,
    now: datetime,
    actor: str | None = None,
) -> LoadedAnswers:
    """Start an amendment: a new draft version holding a copy of the submitted answers."""
    if not view.collecting:
        raise ConflictError(CLOSED)
    sets = _sets(session, view)
    current = _current(sets)
    if current is None or current.status != AnswerSetStatus.submitted:
        draft, sets, new = _open_draft(session=session, view=view, now=now)
        values = {} if new else read_values(session=session, answer_set_id=draft.id or 0)
        return LoadedAnswers(draft, values, _submitted(sets))
    submitted = read_values(session=session, answer_set_id=current.id or 0)
    draft = rows.new_set(
        session=session,
        assignment_id=view.assignment.id or 0,
        version=max(s.version for s in sets) + 1,
        now=now,
    )
    by_id = {q.id for q in questions}
    kept = {key: value for key, value in submitted.items() if key in by_id}
    shown = _write(
        session=session, answer_set=draft, questions=questions, values=kept, replace=False
    ).shown
    event = _event(view, "answers.amend_started", actor, person_id, now, {"version": draft.version})
    session.connection().execute(INSERT_EVENT_BOUND, event)
    return LoadedAnswers(draft, shown, current)


def _stop_chasing(*, session: Session, view: AssignmentView, now: datetime) -> None:
    """Cancel the reminders to the agency's people: none of its cases is outstanding."""
    from flows.chase.sweep import cancel_chasers

    people = session.exec(
        select(AccessGrant.person_id).where(
            col(AccessGrant.round_id) == view.round.id,
            col(AccessGrant.agency_id) == view.agency.id,
        )
    ).all()
    cancel_chasers(
        session=session, round_id=view.round.id or 0, person_ids=sorted(set(people)), now=now
    )
