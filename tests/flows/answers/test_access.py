from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from flows.answers.access import AssignmentView, visible_assignments
from flows.chase.sweep import grant_escalation
from models.agency import Agency
from models.partnership import Person
from models.questionnaire.conditions import CaseAttributes
from models.round import Assignment, AuditRound, GrantRole
from models.settings import Settings
from models.tool_version import ToolVersion
from tests.builders import NOW, launch_chase_round, raise_test_concern, tool_data


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


POLICE_ONLY = {"id": "arrest", "type": "yes_no_na", "text": "Was an arrest considered?"}
CP_ONLY = {"id": "cp_plan", "type": "yes_no_na", "text": "Was the child protection plan reviewed?"}


def _view(version: ToolVersion, agency: str, category: str) -> AssignmentView:
    return AssignmentView(
        Assignment(),
        AuditRound(),
        Agency(code=agency),
        "REF-1",
        GrantRole.lead,
        version,
        NOW.date(),
        CaseAttributes.of(category=category),
    )


def test_each_view_is_asked_its_own_agencys_questions_for_its_own_kind_of_case() -> None:
    data = tool_data(
        {**POLICE_ONLY, "applies_to": ["police"]}, {**CP_ONLY, "applies_when": {"category": "CP"}}
    )
    version = ToolVersion(name="test-tool", version="v-questions", definition=data)
    asked = {
        (agency, category): {q.id for q in _view(version, agency, category).questions()}
        for agency in ("police", "csc", "police")  # asked again: the kept answer is the same
        for category in ("CP", "CIN", "CP")
    }
    assert {key: {"arrest", "cp_plan"} & ids for key, ids in asked.items()} == {
        ("police", "CP"): {"arrest", "cp_plan"},
        ("police", "CIN"): {"arrest"},
        ("csc", "CP"): {"cp_plan"},
        ("csc", "CIN"): set(),
    }
