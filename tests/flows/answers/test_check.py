from __future__ import annotations

from datetime import date

import pytest

from flows.answers.check import check_answers, missing_message, value_from_text
from models.questionnaire import Tool, read_tool
from models.questionnaire.catalog import load_tool
from tests.agencies.portal.test_answer_types import TOOL


@pytest.fixture
def tool() -> Tool:
    return read_tool("every-type.yaml", text=TOOL)


def _question(tool: Tool, question_id: str):  # type: ignore[no-untyped-def]
    return next(q for q in tool.questions() if q.id == question_id)


def test_typed_values_are_accepted_without_any_form_fields(tool: Tool) -> None:
    values = {
        "known_to_agency": "yes",
        "tools_used": ["dash"],
        "hours": 12,
        "met_on": date(2026, 2, 3),
        "grade": "good",
    }
    answers, errors = check_answers(list(tool.questions()), values, complete=True)
    assert errors == {} and answers == values


def test_not_known_to_this_agency_ends_the_questionnaire_and_drops_other_answers(
    tool: Tool,
) -> None:
    values = {"known_to_agency": "no", "hours": "lots", "grade": "splendid"}
    answers, errors = check_answers(list(tool.questions()), values, complete=True)
    assert answers == {"known_to_agency": "no"} and errors == {}


def test_a_draft_keeps_what_is_valid_and_names_what_is_not(tool: Tool) -> None:
    values = {"known_to_agency": "yes", "hours": 12, "grade": "splendid"}
    answers, errors = check_answers(
        list(tool.questions()), values, complete=False, problems={"met_on": "Enter a real date"}
    )
    assert answers == {"known_to_agency": "yes", "hours": 12}
    assert errors == {"met_on": "Enter a real date", "grade": "Select one of the answers shown"}


def test_errors_come_in_the_questions_order(tool: Tool) -> None:
    _, errors = check_answers(list(tool.questions()), {"grade": "splendid"}, complete=True)
    assert list(errors) == ["known_to_agency", "tools_used", "hours", "met_on", "grade"]


def test_a_missing_answer_is_named_in_the_questions_own_words(tool: Tool) -> None:
    _, errors = check_answers(list(tool.questions()), {}, complete=True)
    assert errors == {
        "known_to_agency": "Select whether this child was known to your agency in the period",
        "tools_used": "Select which tools were used",
        "hours": "Enter the hours to strategy discussion",
        "met_on": "Enter the date of the strategy discussion",
        "grade": "Select the overall grade",
    }


def test_a_yes_no_question_with_a_finding_is_named_by_its_finding() -> None:
    question = _question(load_tool("domestic-abuse"), "info_sharing")
    assert missing_message(question) == (
        "Select whether information about the domestic abuse was shared between agencies"
        " when it was needed"
    )


def test_questions_too_complex_to_turn_round_are_quoted_whole() -> None:
    s47 = load_tool("s47-strategy")
    assert missing_message(_question(s47, "strategy_date")) == (
        "Enter the date the strategy discussion was held"
    )
    hours = next(q for q in s47.questions() if q.type == "number")
    assert missing_message(hours) == f'Enter an answer to "{hours.text}"'


def test_every_built_in_question_has_a_message_that_names_it() -> None:
    for name in ("domestic-abuse", "s47-strategy"):
        messages = [missing_message(q) for q in load_tool(name).questions()]
        assert len(set(messages)) == len(messages), name
        assert all(m.startswith(("Select ", "Enter ")) and len(m) > 20 for m in messages)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", (12, None)), ("1,250", (1250, None)), ("7.5", (7.5, None)), (" na ", ("na", None))],
)
def test_number_text_becomes_a_number(tool: Tool, raw: str, expected: object) -> None:
    assert value_from_text(_question(tool, "hours"), raw) == expected


def test_a_whole_number_question_refuses_a_fraction_typed_or_sent() -> None:
    hours = next(q for q in load_tool("s47-strategy").questions() if q.type == "number")
    _, errors = check_answers([hours], {hours.id: 7.5}, complete=False)
    assert errors == {hours.id: "Enter a whole number"}
    assert value_from_text(hours, "twelve") == (None, "Enter a number")
