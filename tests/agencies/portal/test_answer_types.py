from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from agencies.portal.forms import read_answers
from models.answers import Answer, AnswerOption
from models.questionnaire import Tool, read_tool
from models.round import AuditRound
from models.tool_version import save_tool_version
from tests.agencies.portal.conftest import Portal

TOOL = """
name: every-type
title: Every question type
sections:
  - title: About this child
    questions:
      - id: known_to_agency
        type: yes_no_na
        allow_na: false
        text: Was this child known to your agency in the period?
  - title: Practice
    questions:
      - id: tools_used
        type: multi_choice
        allow_na: true
        text: Which tools were used
        options: [{id: dash, label: DASH}, {id: caada, label: CAADA}, {id: other, label: Other}]
      - {id: hours, type: number, text: Hours to strategy discussion, max_value: 1000}
      - {id: met_on, type: date, text: Date of the strategy discussion}
      - {id: grade, type: ofsted_grade, text: Overall grade}
      - {id: good_practice, type: text, required: false, text: Good practice}
      - {id: areas_for_development, type: text, required: false, text: Areas for development}
      - {id: recommendations, type: text, required: false, text: Recommendations}
"""


@pytest.fixture
def tool() -> Tool:
    return read_tool("every-type.yaml", text=TOOL)


def test_form_fields_become_typed_answers(tool: Tool) -> None:
    form = {
        "q__known_to_agency": ["yes"],
        "q__tools_used": ["dash", "other"],
        "q__hours": ["12"],
        "q__met_on__day": ["3"],
        "q__met_on__month": ["2"],
        "q__met_on__year": ["2026"],
        "q__grade": ["good"],
    }
    answers, _, errors = read_answers(list(tool.questions()), form, complete=True)
    assert errors == {}
    assert answers["tools_used"] == ["dash", "other"] and answers["hours"] == 12
    assert answers["met_on"] == date(2026, 2, 3)


def test_bad_numbers_and_dates_are_errors_and_are_shown_again_as_typed(tool: Tool) -> None:
    form = {
        "q__known_to_agency": ["yes"],
        "q__hours": ["twelve"],
        "q__met_on__day": ["31"],
        "q__met_on__month": ["2"],
        "q__met_on__year": ["2026"],
    }
    _, shown, errors = read_answers(list(tool.questions()), form, complete=True)
    assert errors["hours"] == "Enter a number"
    assert errors["met_on"].startswith("Enter a real date")
    assert errors["grade"] == "Select the overall grade" and "tools_used" in errors
    assert shown["hours"] == "twelve" and shown["met_on"]["day"] == "31"


def test_not_applicable_is_stored_as_na_for_numbers_dates_and_multi_choice(tool: Tool) -> None:
    form = {
        "q__known_to_agency": ["yes"],
        "q__tools_used": ["na"],
        "q__hours__na": ["na"],
        "q__met_on__na": ["na"],
        "q__grade": ["good"],
    }
    answers, _, errors = read_answers(list(tool.questions()), form, complete=True)
    assert errors == {}
    assert answers["tools_used"] == answers["hours"] == answers["met_on"] == "na"


def test_each_type_is_stored_in_its_own_column(portal: Portal, tool: Tool) -> None:
    with Session(portal.engine) as session:
        version = save_tool_version(session=session, tool=tool)
        round_ = session.get(AuditRound, portal.round_id)
        assert round_ is not None
        round_.tool_version_id = version.id or 0
        session.add(round_)
        session.commit()
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    data: dict[str, Any] = {
        "action": "submit",
        "q__known_to_agency": "yes",
        "q__tools_used": ["dash", "caada"],
        "q__hours": "7.0",
        "q__met_on__day": "3",
        "q__met_on__month": "2",
        "q__met_on__year": "2026",
        "q__grade": "good",
        "q__good_practice": "Quick strategy.",
    }
    assert portal.post(f"/cases/{case}", data).status_code == 303  # type: ignore[attr-defined]
    with Session(portal.engine) as session:
        rows = {row.question_id: row for row in session.exec(select(Answer))}
        options = sorted(o.option_id for o in session.exec(select(AnswerOption)))
    assert rows["hours"].number == 7 and rows["met_on"].day == date(2026, 2, 3)
    assert rows["grade"].choice == "good" and rows["good_practice"].text == "Quick strategy."
    assert rows["tools_used"].choice is None and options == ["caada", "dash"]
    page = portal.client.get(f"/cases/{case}").text
    assert "DASH, CAADA" in page or "CAADA, DASH" in page
