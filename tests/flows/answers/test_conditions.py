"""A tool's `applies_when` through a whole round: asked, answered, counted and reported alike."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from agencies.portal.tool_preview import preview_sections
from flows.answers import store
from flows.answers.access import agency_assignments
from flows.reconcile.run import reconcile_round
from flows.report.data import build_report
from flows.rounds.launch import launch_round
from models.agency import Agency
from models.questionnaire import KNOWN_QUESTION_ID
from models.round_parameters import SelectionCriteria
from models.settings import Settings
from models.tool_version import frozen_tool
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of

CP_ONLY = "cp_plan_changes"  # the neglect tool's child protection plan section: CP cases only


def test_a_question_for_cp_cases_only_is_asked_counted_and_reported_only_for_them(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(
        session=session,
        tmp_path=tmp_path,
        rows=register_of(counts={"CP": 2, "CIN": 2}, flags="neglect"),
    )
    result = launch_round(
        session=session,
        params=launch_parameters(
            title="Neglect",
            tool="neglect",
            criteria=SelectionCriteria(flags=["neglect"]),
            sample_size=4,
        ),
        seed=7,
        idempotency_key="conditions",
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    asked: dict[str, bool] = {}
    for agency in session.exec(select(Agency).where(Agency.code.in_(["police", "csc", "health"]))):
        for view in agency_assignments(session=session, agency_id=agency.id or 0):
            questions = view.questions()
            asked[view.case_ref] = CP_ONLY in {q.id for q in questions}
            assert asked[view.case_ref] == (view.case.category == "CP")
            shown = preview_sections(
                frozen_tool(view.tool_version),
                agency=agency.code,
                show_scoring=False,
                case=view.case,
            )
            on_page = {e.question.id for s in shown for e in s.entries}
            assert (CP_ONLY in on_page) == asked[view.case_ref]
            values = {
                q.id: "yes"
                for q in questions
                if q.type in ("yes_no_na", "yes_partly_no_na") or q.id == KNOWN_QUESTION_ID
            }
            store.submit(
                session=session,
                view=view,
                questions=questions,
                values=values,
                person_id=None,
                now=NOW,
            )
    session.commit()
    assert sorted(asked.values()) == [False, False, True, True]
    findings = reconcile_round(session=session, round_id=result.round_id, now=NOW, actor="c")
    session.commit()
    question = next(q for q in findings.questions if q.id == CP_ONLY)
    # d holds only the two CP cases, for each agency and at case level.
    assert {f.label for f in question.by_agency.values()} == {"100% (2:2)"}
    assert question.case_level is not None and question.case_level.label == "100% (2:2)"
    report = build_report(session=session, round_id=result.round_id, today=NOW.date())
    row = next(r for r in report.questions if r.id == CP_ONLY)
    assert row.case_level is not None and row.case_level.label == "100% (2:2)"
