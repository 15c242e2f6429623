"""Saving and submitting an agency's answers: what each change writes, read back as it stands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from flows.answers import store
from flows.answers.agency_view import get_agency_assignment
from flows.chase.sweep import chase_sweep
from models.agency import Agency
from models.answers import AnswerSet, AnswerSetStatus
from models.audit_log import AuditEvent
from models.outbox import MessageStatus, OutboxMessage
from models.round import Assignment, AssignmentStatus
from models.settings import Settings
from tests.builders import NOW, at_nine, launch_chase_round

NOT_KNOWN = {"known_to_agency": "no"}


def _assignments(session: Session, agency: str) -> list[int]:
    agency_id = session.exec(select(Agency.id).where(Agency.code == agency)).one()
    query = select(Assignment.id).where(Assignment.agency_id == agency_id).order_by(Assignment.id)
    return [assignment_id or 0 for assignment_id in session.exec(query)]


def _submit(session: Session, agency: str, assignment_id: int) -> None:
    agency_id = session.exec(select(Agency.id).where(Agency.code == agency)).one() or 0
    view = get_agency_assignment(session=session, agency_id=agency_id, assignment_id=assignment_id)
    store.submit(
        session=session,
        view=view,
        questions=view.questions(),
        values=NOT_KNOWN,
        person_id=None,
        now=NOW,
        actor="api-key:1",
    )
    session.commit()


def _pending_reminders(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(OutboxMessage.address).where(
            col(OutboxMessage.template).in_(("reminder", "overdue", "escalation")),
            OutboxMessage.status == MessageStatus.pending,
        )
    ).all()
    found: dict[str, int] = {}
    for address in rows:
        agency = address.split("@")[1].split(".")[0]
        found[agency] = found.get(agency, 0) + 1
    return found


def test_the_agencys_reminders_stop_when_its_last_outstanding_case_is_submitted_not_before(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=date(2026, 12, 24), key="s"
    )
    chase_sweep(session=session, now=at_nine(date(2026, 12, 21)), settings=settings)
    session.commit()
    assert set(_pending_reminders(session)) == {"police", "csc"}
    *first, last = _assignments(session, "police")
    for assignment_id in first:
        _submit(session, "police", assignment_id)
    assert set(_pending_reminders(session)) == {"police", "csc"}
    _submit(session, "police", last)
    assert set(_pending_reminders(session)) == {"csc"}


def test_a_submission_writes_the_set_the_assignment_and_the_audit_event_together(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=date(2026, 12, 24), key="w"
    )
    assignment_id = _assignments(session, "csc")[0]
    _submit(session, "csc", assignment_id)
    session.expire_all()
    assignment = session.get(Assignment, assignment_id)
    assert assignment is not None
    assert (assignment.status, assignment.submitted_at) == (AssignmentStatus.not_known, NOW)
    sets = session.exec(select(AnswerSet).where(AnswerSet.assignment_id == assignment_id)).all()
    assert [(s.status, s.submitted_at, s.version) for s in sets] == [
        (AnswerSetStatus.submitted, NOW, 1)
    ]
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "answers.submitted", AuditEvent.entity_id == str(assignment_id)
        )
    ).all()
    assert [(e.actor, e.details) for e in events] == [
        ("api-key:1", {"version": 1, "not_known": True})
    ]
