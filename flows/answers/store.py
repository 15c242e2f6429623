"""An agency's answers about one case: drafts, submission and amendment, one typed row each.

Every function takes an `AssignmentView` from `flows.answers.access`, so it is already
scoped to an agency the person holds a grant for (or, for agency systems, the agency of their
API key: they pass `actor="api-key:{id}"` and no person). An amendment is a new version: the
submitted one stays current (and counts in reconciliation) until the amendment is submitted,
then it is marked superseded. The tables are written with Core statements (flows.answers.rows)
in the caller's transaction; each change returns the answers as they now stand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy import select as select_rows
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from flows.answers import rows
from flows.answers.access import AssignmentView
from models.answers import AnswerSet, AnswerSetStatus
from models.audit_log import record_event
from models.errors import ConflictError
from models.questionnaire import KNOWN_QUESTION_ID, Question
from models.questionnaire import Answer as AnswerValue
from models.round import ANSWERED, AccessGrant, Assignment, AssignmentStatus

CLOSED = "collection for this round has closed: answers can no longer change"
READ_ONLY = "these answers are submitted: choose Amend to change them"
ASSIGNMENTS = cast(Table, Assignment.__table__)  # type: ignore[attr-defined]
_UPDATE_ASSIGNMENT = update(ASSIGNMENTS).where(ASSIGNMENTS.c.id == bindparam("assignment_id"))
_OUTSTANDING = (
    select_rows(ASSIGNMENTS.c.id)
    .where(
        ASSIGNMENTS.c.round_id == bindparam("round_id"),
        ASSIGNMENTS.c.agency_id == bindparam("agency_id"),
        ASSIGNMENTS.c.status.not_in([*ANSWERED, AssignmentStatus.withdrawn]),
    )
    .limit(1)
)
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


def load_answers(*, session: Session, view: AssignmentView) -> LoadedAnswers:
    """What the case page shows: the draft under way, else the submitted answers."""
    assert view.assignment.id is not None
    sets = rows.read_sets(session=session, assignment_id=view.assignment.id)
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
    sets = rows.read_sets(session=session, assignment_id=view.assignment.id or 0)
    current = _current(sets)
    if current is not None and current.status == AnswerSetStatus.draft:
        return current, sets, False
    if current is not None:
        raise ConflictError(READ_ONLY)
    assignment_id = view.assignment.id or 0
    draft = rows.new_set(session=session, assignment_id=assignment_id, version=1, now=now)
    return draft, [draft, *sets], True


def _touch(*, session: Session, assignment: Assignment, now: datetime, **fields: object) -> None:
    """Update the assignment row, and the view's copy as if it had been loaded so."""
    changes = {"updated_at": now, **fields}
    session.connection().execute(_UPDATE_ASSIGNMENT, {"assignment_id": assignment.id, **changes})
    for name, value in changes.items():
        set_committed_value(assignment, name, value)


def _write(
    *,
    session: Session,
    answer_set: AnswerSet,
    questions: Sequence[Question],
    values: Mapping[str, AnswerValue],
    replace: bool,
) -> dict[str, AnswerValue]:
    by_id = {q.id: q for q in questions}
    return rows.write_rows(
        session=session,
        answer_set_id=answer_set.id or 0,
        questions=by_id,
        values=values,
        replace=replace,
    )


def _audit(
    *,
    session: Session,
    view: AssignmentView,
    action: str,
    actor: str | None,
    person_id: int | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    record_event(
        session=session,
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
    shown = _write(
        session=session, answer_set=draft, questions=questions, values=values, replace=not new
    )
    if draft.updated_at != now:
        rows.update_set(session=session, answer_set=draft, updated_at=now)
    if view.assignment.status == AssignmentStatus.not_started:
        _touch(
            session=session,
            assignment=view.assignment,
            now=now,
            status=AssignmentStatus.in_progress.value,
        )
    _audit(
        session=session,
        view=view,
        action="answers.draft_saved",
        actor=actor,
        person_id=person_id,
        now=now,
    )
    return LoadedAnswers(draft, shown, _submitted(sets))


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
    shown = _write(
        session=session, answer_set=draft, questions=questions, values=values, replace=not new
    )
    for previous in sets:
        if previous.status == AnswerSetStatus.submitted:
            superseded = AnswerSetStatus.superseded.value
            rows.update_set(session=session, answer_set=previous, status=superseded, updated_at=now)
    rows.update_set(
        session=session,
        answer_set=draft,
        status=AnswerSetStatus.submitted.value,
        submitted_at=now,
        submitted_by=person_id,
        updated_at=now,
    )
    not_known = values.get(KNOWN_QUESTION_ID) == "no"
    status = AssignmentStatus.not_known if not_known else AssignmentStatus.submitted
    _touch(
        session=session,
        assignment=view.assignment,
        now=now,
        status=status.value,
        submitted_at=now,
    )
    _audit(
        session=session,
        view=view,
        action="answers.submitted",
        actor=actor,
        person_id=person_id,
        now=now,
        details={"version": draft.version, "not_known": not_known},
    )
    # In the same transaction: a submission never stands while its reminders still wait.
    _stop_chasing_when_answered(session=session, view=view, now=now)
    return LoadedAnswers(draft, shown, draft)


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
    sets = rows.read_sets(session=session, assignment_id=view.assignment.id or 0)
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
    )
    _audit(
        session=session,
        view=view,
        action="answers.amend_started",
        actor=actor,
        person_id=person_id,
        now=now,
        details={"version": draft.version},
    )
    return LoadedAnswers(draft, shown, current)


def _stop_chasing_when_answered(*, session: Session, view: AssignmentView, now: datetime) -> None:
    """Cancel the reminders to the agency's people once none of its cases is outstanding."""
    from flows.chase.sweep import cancel_chasers

    where = {"round_id": view.round.id, "agency_id": view.agency.id}
    outstanding = session.connection().execute(_OUTSTANDING, where).first()
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
