from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.reconcile.findings import Compliance, Findings
from flows.reconcile.run import latest_findings, moderate_answer, reconcile_round, record_meeting
from flows.rounds.launch import launch_round
from models.answers import Concern, ConcernState
from models.errors import InputError, NotFoundError
from models.round import AuditRound
from models.settings import Settings
from tests.builders import (
    NOW,
    import_register,
    launch_parameters,
    load_agencies,
    raise_test_concern,
    register_of,
    submit_answers,
)

ANSWERS = {  # case -> agency -> (info_sharing, management_direction)
    "C-0001": {"csc": ("yes", "yes"), "health": ("yes", "partly"), "police": ("yes", "yes")},
    "C-0002": {"csc": ("yes", "partly"), "health": ("partly", "na"), "police": ("no", "no")},
    "C-0003": {"csc": ("yes", "yes"), "health": ("na", "yes")},
    "C-0004": {"csc": ("no", "partly"), "health": ("no", "no"), "police": ("yes", "yes")},
}


@pytest.fixture
def round_id(session: Session, settings: Settings, tmp_path: Path) -> int:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 4}))
    result = launch_round(
        session=session,
        params=launch_parameters(sample_size=4),
        seed=1,
        idempotency_key="k",
        now=NOW,
        actor="c",
        settings=settings,
    )
    for case_ref, by_agency in ANSWERS.items():
        for agency, (sharing, direction) in by_agency.items():
            submit_answers(
                session=session,
                round_id=result.round_id,
                agency=agency,
                case_ref=case_ref,
                answers={"info_sharing": sharing, "management_direction": direction},
            )
    submit_answers(
        session=session,
        round_id=result.round_id,
        agency="police",
        case_ref="C-0003",
        answers={},
        not_known=True,
    )
    session.commit()
    return result.round_id


def reconcile(session: Session, round_id: int) -> Findings:
    findings = reconcile_round(session=session, round_id=round_id, now=NOW, actor="c")
    session.commit()
    return findings


def question(findings: Findings, question_id: str):  # type: ignore[no-untyped-def]
    return next(q for q in findings.questions if q.id == question_id)


def test_compliance_per_agency_excludes_na_and_not_known_and_shows_n_and_d(
    session: Session, round_id: int
) -> None:
    findings = reconcile(session, round_id)
    sharing = question(findings, "info_sharing")
    assert {code: c.label for code, c in sharing.by_agency.items()} == {
        "csc": "75% (3:4)",
        "health": "33% (1:3)",
        "police": "67% (2:3)",
    }
    direction = question(findings, "management_direction")  # own practice, Partly counts half
    assert {code: c.label for code, c in direction.by_agency.items()} == {
        "csc": "75% (3:4)",
        "health": "50% (1.5:3)",
        "police": "67% (2:3)",
    }
    assert direction.cases == [] and direction.case_level is None
    assert findings.not_known == {"csc": 0, "health": 0, "police": 1}
    assert findings.concerns["total"] == 0


def test_shared_questions_roll_up_to_a_provisional_case_answer_and_list_discrepancies(
    session: Session, round_id: int
) -> None:
    findings = reconcile(session, round_id)
    sharing = question(findings, "info_sharing")
    assert [(c.case_ref, c.provisional) for c in sharing.cases] == [
        ("C-0001", "met"),
        ("C-0002", "not met"),
        ("C-0003", "met"),
        ("C-0004", "not met"),
    ]
    assert sharing.cases[2].answers == {"csc": "Yes", "health": "N/A"}
    assert sharing.case_level == Compliance(met=2, applicable=4)
    assert sharing.case_level.label == "50% (2:4)" and sharing.case_level_provisional
    assert [
        (d.case_ref, d.question_id, d.spread)
        for d in findings.discrepancies
        if d.question_id == "info_sharing"
    ] == [("C-0002", "info_sharing", 2), ("C-0004", "info_sharing", 2)]
    agreement = sharing.agreement
    # C-0003 has one rating only; agreement is (1 + 0 + 1/3) / 3 over the other three cases
    assert agreement["percent_agreement"].n_units == 3
    assert agreement["percent_agreement"].value == pytest.approx(4 / 9)
    assert agreement["gwet_ac1"].value is not None
    assert findings.provisional
    round_ = session.get(AuditRound, round_id)
    assert round_ is not None and round_.status == "reconciling"


def test_moderation_overrides_the_provisional_answer_and_ends_provisional_labels(
    session: Session, round_id: int
) -> None:
    reconcile(session, round_id)
    moderate_answer(
        session=session,
        round_id=round_id,
        case_ref="C-0002",
        question_id="info_sharing",
        value="yes",
        resolution="police had shared with MASH; record found",
        now=NOW,
        actor="c",
    )
    record_meeting(
        session=session,
        round_id=round_id,
        held_on=date(2026, 12, 18),
        attendees=["police", "csc", "health"],
        notes="All present",
        now=NOW,
        actor="c",
    )
    session.commit()
    findings = reconcile(session, round_id)
    sharing = question(findings, "info_sharing")
    assert sharing.case_level is not None and sharing.case_level.label == "75% (3:4)"
    assert not findings.provisional and not sharing.case_level_provisional
    case = sharing.cases[1]
    assert (case.provisional, case.moderated, case.agreed) == ("not met", "Yes", "Yes")
    assert [d.resolved for d in findings.discrepancies if d.question_id == "info_sharing"] == [
        True,
        False,
    ]
    assert latest_findings(session=session, round_id=round_id) == findings


def test_moderation_refuses_own_practice_questions_and_impossible_answers(
    session: Session, round_id: int
) -> None:
    reconcile(session, round_id)
    with pytest.raises(InputError, match="own-practice question"):
        moderate_answer(
            session=session,
            round_id=round_id,
            case_ref="C-0001",
            question_id="management_direction",
            value="yes",
            resolution=None,
            now=NOW,
            actor="c",
        )
    with pytest.raises(InputError):
        moderate_answer(
            session=session,
            round_id=round_id,
            case_ref="C-0001",
            question_id="info_sharing",
            value="maybe",
            resolution=None,
            now=NOW,
            actor="c",
        )
    with pytest.raises(NotFoundError, match="is not in round"):
        moderate_answer(
            session=session,
            round_id=round_id,
            case_ref="X-9",
            question_id="info_sharing",
            value="yes",
            resolution=None,
            now=NOW,
            actor="c",
        )


def test_findings_before_reconciliation_say_how_to_reconcile(
    session: Session, round_id: int
) -> None:
    with pytest.raises(NotFoundError, match="jointaudit round reconcile"):
        latest_findings(session=session, round_id=round_id)


def test_a_round_is_due_for_reconciliation_when_all_answered_or_after_due_date_and_grace(
    session: Session, round_id: int, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from sqlmodel import select

    from flows.reconcile.flow import rounds_due_for_reconciliation
    from models.round import Assignment

    # Every assignment is answered: due at once.
    assert rounds_due_for_reconciliation(session=session, now=NOW, settings=settings) == [round_id]
    still_open = session.exec(select(Assignment)).first()
    assert still_open is not None
    still_open.status = "in_progress"
    session.commit()
    # Due Wednesday 16 December; five working days of grace end Wednesday 23 December.
    assert rounds_due_for_reconciliation(session=session, now=NOW, settings=settings) == []
    late = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    assert rounds_due_for_reconciliation(session=session, now=late, settings=settings) == [round_id]
    reconcile(session, round_id)  # a reconciled round is no longer collecting
    assert rounds_due_for_reconciliation(session=session, now=late, settings=settings) == []


def test_findings_print_as_json_and_as_tables(
    session: Session, round_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from flows.cli import main

    assert main(["round", "reconcile", str(round_id)]) == 0
    assert main(["round", "findings", str(round_id), "--json"]) == 0
    printed = capsys.readouterr().out
    found = json.loads(printed[printed.index("{") :])
    assert found["round_id"] == round_id and found["provisional"] is True
    assert main(["round", "findings", str(round_id)]) == 0
    out = capsys.readouterr().out
    assert "75% (3:4)" in out and "PROVISIONAL" in out and "Discrepancies (" in out


def test_the_findings_table_names_each_concern_in_its_recorded_state(
    session: Session, settings: Settings, round_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    concern = session.get(
        Concern,
        raise_test_concern(session=session, round_id=round_id, now=NOW, settings=settings),
    )
    assert concern is not None
    concern.state = ConcernState.not_referred
    session.add(concern)
    session.commit()
    assert main(["round", "reconcile", str(round_id)]) == 0
    capsys.readouterr()
    assert main(["round", "findings", str(round_id)]) == 0
    assert "Immediate concerns: 1 (1 looked at, no referral needed)." in capsys.readouterr().out
