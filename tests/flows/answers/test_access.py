from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from flows.answers.access import visible_assignments
from flows.chase.sweep import grant_escalation
from models.agency import Agency
from models.partnership import Person
from models.settings import Settings
from tests.builders import NOW, launch_chase_round, raise_test_concern


def test_an_escalation_contact_chased_for_a_late_round_sees_no_concern_case_as_a_task(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    round_id = launch_chase_round(
        session=session,
        settings=settings,
        tmp_path=tmp_path,
        due=NOW.date() + timedelta(days=14),
        key="esc",
    )
    raise_test_concern(session=session, round_id=round_id, now=NOW, settings=settings)
    manager = session.exec(select(Person).where(Person.email == "manager@police.example.org")).one()
    police = session.exec(select(Agency).where(Agency.code == "police")).one()
    assert manager.id is not None and police.id is not None
    grant_escalation(
        session=session, round_id=round_id, agency_id=police.id, person_id=manager.id, now=NOW
    )
    session.commit()
    assert visible_assignments(session=session, person_id=manager.id) == []
    lead = session.exec(select(Person).where(Person.email == "lead@police.example.org")).one()
    assert lead.id is not None
    assert len(visible_assignments(session=session, person_id=lead.id)) == 4
