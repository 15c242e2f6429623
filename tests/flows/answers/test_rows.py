"""Answer rows written and read back on both databases: every answer type, replaced in place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from flows.answers import rows
from models.answers import Answer, AnswerOption
from models.questionnaire import Answer as AnswerValue
from models.round import Assignment
from models.settings import Settings
from models.statements import run_together
from tests.builders import (
    NOW,
    import_register,
    launched,
    load_agencies,
    register_of,
    tool_with_questions,
)

QUESTIONS = (
    {
        "id": "tools_used",
        "type": "multi_choice",
        "allow_na": True,
        "text": "Which tools were used",
        "options": [
            {"id": "dash", "label": "DASH"},
            {"id": "caada", "label": "CAADA"},
            {"id": "other", "label": "Other"},
        ],
    },
    {"id": "hours", "type": "number", "text": "Hours to strategy discussion", "max_value": 1000},
    {"id": "met_on", "type": "date", "text": "Date of the strategy discussion"},
    {"id": "grade", "type": "ofsted_grade", "text": "Overall grade"},
    {"id": "notes", "type": "text", "required": False, "text": "Notes"},
)


def _answer_set(session: Session, settings: Settings, tmp_path: Path) -> int:
    load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc"))
    import_register(
        session=session,
        tmp_path=tmp_path,
        rows=register_of(counts={"CIN": 1}, agencies="police;csc"),
    )
    launched(
        session=session, settings=settings, key="rows", agencies=["police", "csc"], sample_size=1
    )
    assignment = session.exec(select(Assignment)).first()
    assert assignment is not None and assignment.id is not None
    answer_set = rows.new_set(session=session, assignment_id=assignment.id, version=1, now=NOW)
    return answer_set.id or 0


def test_every_answer_type_is_written_in_one_go_and_read_back_as_it_was_given(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    set_id = _answer_set(session, settings, tmp_path)
    questions = {q.id: q for q in tool_with_questions(*QUESTIONS).questions()}
    given: dict[str, AnswerValue] = {
        "tools_used": ["dash", "other"],
        "hours": 4.5,
        "met_on": date(2026, 3, 2),
        "grade": "good",
        "notes": "Seen within the day.",
    }
    shown = rows.write_rows(
        session=session, answer_set_id=set_id, questions=questions, values=given, replace=False
    ).shown
    session.commit()
    assert shown == given
    assert rows.read_values(session=session, answer_set_id=set_id) == given


def test_replacing_a_set_keeps_only_the_new_answers_and_their_options(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    set_id = _answer_set(session, settings, tmp_path)
    questions = {q.id: q for q in tool_with_questions(*QUESTIONS).questions()}
    first: dict[str, AnswerValue] = {"tools_used": ["dash", "caada"], "hours": 2, "notes": "x"}
    rows.write_rows(
        session=session, answer_set_id=set_id, questions=questions, values=first, replace=False
    )
    second: dict[str, AnswerValue] = {"tools_used": ["other"], "met_on": date(2026, 1, 5)}
    rows.write_rows(
        session=session, answer_set_id=set_id, questions=questions, values=second, replace=True
    )
    session.commit()
    assert rows.read_values(session=session, answer_set_id=set_id) == second
    stored = session.exec(select(Answer.question_id).where(Answer.answer_set_id == set_id)).all()
    assert sorted(stored) == ["met_on", "tools_used"]
    assert session.exec(select(AnswerOption.option_id)).all() == ["other"]


def test_answers_written_together_replace_a_draft_in_one_statement_on_postgresql(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    """Without multi-choice questions: the rows of questions no longer answered go, the others
    are written over, the new ones added, all in the statement the change's own writes join."""
    set_id = _answer_set(session, settings, tmp_path)
    questions = {q.id: q for q in tool_with_questions(*QUESTIONS[1:]).questions()}
    values: list[dict[str, AnswerValue]] = [
        {"hours": 2, "notes": "first", "grade": "good"},
        {"hours": 3.5, "met_on": date(2026, 1, 5), "grade": "good"},
        {},
    ]
    for number, given in enumerate(values):
        written = rows.write_rows(
            session=session,
            answer_set_id=set_id,
            questions=questions,
            values=given,
            replace=number > 0,
            together=True,
        )
        postgres = session.connection().dialect.name == "postgresql"
        assert bool(written.steps) == postgres
        if written.steps:
            run_together(session.connection(), written.steps, written.params)
        session.commit()
        assert written.shown == given
        assert rows.read_values(session=session, answer_set_id=set_id) == given
