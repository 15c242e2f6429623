"""Audit tool definitions: validation with located errors, scoring helpers, roll-ups."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from models.errors import ImportFileError, Problem
from models.questionnaire import (
    QUESTION_TYPES,
    Question,
    Rollup,
    Tool,
    read_tool,
    roll_up,
)
from models.questionnaire.catalog import BUILTIN_DIR
from tests.builders import tool_data

CHOICE: dict[str, Any] = {
    "id": "outcome",
    "type": "single_choice",
    "text": "What was the outcome?",
    "options": [{"id": "cin", "label": "Child in need"}, {"id": "cp", "label": "Child protection"}],
}
OWN_YES_NO: dict[str, Any] = {
    "id": "supervision",
    "type": "yes_no_na",
    "text": "Was the case discussed in supervision as policy requires?",
    "standard": {"met": ["yes"]},
}


def parse(data: dict[str, Any]) -> Tool:
    return read_tool("tool.yaml", text=yaml.safe_dump(data, sort_keys=False))


def problems_in(data: dict[str, Any] | str) -> list[Problem]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ImportFileError) as caught:
        read_tool("tool.yaml", text=text)
    return caught.value.problems


def only_problem(data: dict[str, Any]) -> Problem:
    problems = problems_in(data)
    assert len(problems) == 1, problems
    assert problems[0].where.startswith("line ")
    return problems[0]


def question(**fields: Any) -> Question:
    return TypeAdapter(Question).validate_python(fields)


def test_every_built_in_tool_validates() -> None:
    for name in ("domestic-abuse", "s47-strategy", "neglect"):
        tool = read_tool(BUILTIN_DIR / f"{name}.yaml")
        assert tool.name == name
        assert tool.working_together


def test_a_small_tool_with_every_part_validates() -> None:
    tool = parse(tool_data(OWN_YES_NO, CHOICE))
    assert [q.id for q in tool.questions()][:3] == ["known_to_agency", "supervision", "outcome"]
    assert tool.question("outcome").type == "single_choice"


def test_an_unknown_question_type_is_rejected_with_its_path() -> None:
    problem = only_problem(tool_data({"id": "q1", "type": "likert", "text": "How good?"}))
    assert problem.where.endswith("sections[1].questions[0].type")
    assert "unknown question type 'likert'" in problem.message
    assert "yes_partly_no_na" in problem.message


def test_a_question_without_a_type_is_rejected_with_its_path() -> None:
    problem = only_problem(tool_data({"id": "q1", "text": "How good?"}))
    assert problem.where.endswith("sections[1].questions[0].type")
    assert "needs a type" in problem.message


def test_a_standard_that_names_no_option_is_rejected_with_its_path() -> None:
    bad = {**CHOICE, "standard": {"met": ["cin", "child_protection"]}}
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].standard.met[1]")
    assert problem.message == (
        "'child_protection' is not an option of this question (options: cin, cp)"
    )


def test_a_standard_that_names_no_grade_is_rejected_with_its_path() -> None:
    bad = {"id": "q1", "type": "ofsted_grade", "text": "Overall?", "standard": {"met": ["ok"]}}
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].standard.met[0]")
    assert "'outstanding'" in problem.message


def test_partly_in_the_met_answers_is_rejected_in_favour_of_partly_counts_as() -> None:
    bad = {
        "id": "q1",
        "type": "yes_partly_no_na",
        "text": "Clear plan?",
        "standard": {"met": ["yes", "partly"], "partly_counts_as": "half"},
    }
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].standard.met")
    assert "partly_counts_as" in problem.message


def test_how_partly_counts_must_be_stated() -> None:
    bad = {"id": "q1", "type": "yes_partly_no_na", "text": "Clear?", "standard": {"met": ["yes"]}}
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].standard.partly_counts_as")
    assert problem.message == "Field required"


def test_a_rollup_on_an_own_practice_question_is_rejected_with_its_path() -> None:
    problem = only_problem(tool_data({**OWN_YES_NO, "rollup": "all"}))
    assert problem.where.endswith("sections[1].questions[0].rollup")
    assert problem.message.startswith("a roll-up applies only to shared questions")


def test_a_rollup_on_a_shared_question_without_a_standard_is_rejected() -> None:
    bad = {**CHOICE, "shared": True, "rollup": "any"}
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].rollup")
    assert "no standard" in problem.message


def test_duplicate_question_ids_are_rejected_at_the_second_use() -> None:
    problem = only_problem(tool_data(OWN_YES_NO, {**CHOICE, "id": "supervision"}))
    assert problem.where.endswith("sections[1].questions[1].id")
    assert problem.message == (
        "duplicate question id 'supervision' (first used at sections[1].questions[0])"
    )


def test_an_action_rule_on_a_text_question_is_rejected_with_its_path() -> None:
    rule = {"threshold_percent": 80, "action": "Train staff.", "success_measure": "Re-audit."}
    bad = {"id": "notes", "type": "text", "text": "Notes", "action_rule": rule}
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].action_rule")
    assert problem.message.startswith("text questions cannot have an action rule")


def test_an_action_rule_on_a_question_without_a_standard_is_rejected() -> None:
    rule = {"threshold_percent": 80, "action": "Train staff.", "success_measure": "Re-audit."}
    problem = only_problem(tool_data({**CHOICE, "action_rule": rule}))
    assert problem.where.endswith("sections[1].questions[0].action_rule")
    assert problem.message.startswith("an action rule needs a standard")


def test_a_standard_on_a_number_question_is_rejected_with_its_path() -> None:
    bad = {"id": "hours", "type": "number", "text": "Hours?", "standard": {"min_score": 3}}
    problem = only_problem(tool_data(bad))
    assert problem.where.endswith("sections[1].questions[0].standard")
    assert problem.message.startswith("number questions have no standard")


def test_a_shared_text_question_is_rejected() -> None:
    problem = only_problem(tool_data({"id": "notes", "type": "text", "text": "?", "shared": True}))
    assert problem.where.endswith("sections[1].questions[0].shared")


def test_an_option_called_na_and_a_repeated_option_are_rejected() -> None:
    options = [{"id": "a", "label": "A"}, {"id": "na", "label": "N/A"}, {"id": "a", "label": "B"}]
    problems = problems_in(tool_data({**CHOICE, "options": options}))
    wheres = [p.where.split(", ")[-1] for p in problems]
    assert wheres == [
        "sections[1].questions[0].options[1].id",
        "sections[1].questions[0].options[2].id",
    ]
    assert "allow_na" in problems[0].message
    assert "duplicate option id 'a'" in problems[1].message


def test_a_misspelt_key_is_rejected_with_its_path() -> None:
    problem = only_problem(tool_data({**OWN_YES_NO, "guidence": "typo"}))
    assert problem.where.endswith("sections[1].questions[0].guidence")
    assert problem.message == "Extra inputs are not permitted"


def test_a_tool_must_start_with_the_known_to_agency_question() -> None:
    data = tool_data(OWN_YES_NO)
    data["sections"][0]["questions"][0]["id"] = "known"
    problem = only_problem(data)
    assert problem.where.endswith("sections[0].questions[0].id")
    assert "must start with the question 'known_to_agency'" in problem.message


def test_the_known_to_agency_question_must_not_offer_not_applicable() -> None:
    data = tool_data(OWN_YES_NO)
    del data["sections"][0]["questions"][0]["allow_na"]
    problem = only_problem(data)
    assert problem.where.endswith("sections[0].questions[0].allow_na")
    assert problem.message == "the 'known_to_agency' question must have allow_na: false"


def test_a_tool_must_end_with_the_three_free_text_questions() -> None:
    data = tool_data(OWN_YES_NO)
    data["sections"][2]["questions"].pop()
    problem = only_problem(data)
    assert problem.where.endswith("sections[2].questions")
    assert "good_practice, areas_for_development, recommendations" in problem.message


def test_a_closing_question_must_be_free_text() -> None:
    data = tool_data(OWN_YES_NO)
    data["sections"][2]["questions"][2] = {**OWN_YES_NO, "id": "recommendations"}
    problem = only_problem(data)
    assert problem.where.endswith("sections[2].questions[2].type")
    assert "'recommendations' must be of type text" in problem.message


def test_every_problem_of_the_questions_is_reported_at_once() -> None:
    problems = problems_in(
        tool_data(
            {"id": "q1", "type": "likert", "text": "?"},
            {**OWN_YES_NO, "id": "q2", "rollup": "majority"},
            {**CHOICE, "standard": {"met": ["nope"]}},
        )
    )
    assert [p.where.split(", ")[-1] for p in problems] == [
        "sections[1].questions[0].type",
        "sections[1].questions[1].rollup",
        "sections[1].questions[2].standard.met[0]",
    ]


def test_problems_carry_the_line_of_the_offending_key() -> None:
    text = yaml.safe_dump(tool_data({**OWN_YES_NO, "rollup": "all"}), sort_keys=False)
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "rollup" in row)
    assert problems_in(text)[0].where.startswith(f"line {line}, ")


def test_a_shared_question_with_a_standard_defaults_to_a_majority_rollup() -> None:
    tool = parse(tool_data({**OWN_YES_NO, "shared": True}))
    assert tool.question("supervision").rollup is Rollup.majority


def test_unquoted_yes_and_no_in_yaml_mean_the_words() -> None:
    text = yaml.safe_dump(tool_data(OWN_YES_NO), sort_keys=False).replace("- 'yes'", "- yes")
    assert "- yes" in text
    tool = read_tool("tool.yaml", text=text)
    assert tool.question("supervision").standard.met == ["yes"]


def test_every_question_type_is_known() -> None:
    assert set(QUESTION_TYPES) == {
        "yes_no_na",
        "yes_partly_no_na",
        "ofsted_grade",
        "rag",
        "scale_0_10",
        "number",
        "date",
        "single_choice",
        "multi_choice",
        "text",
    }


@pytest.mark.parametrize(
    ("fields", "answer", "score"),
    [
        ({"type": "yes_no_na", "standard": {"met": ["yes"]}}, "yes", 1.0),
        ({"type": "yes_no_na", "standard": {"met": ["yes"]}}, "no", 0.0),
        ({"type": "yes_no_na", "standard": {"met": ["yes"]}}, "na", None),
        ({"type": "yes_no_na", "standard": {"met": ["yes"]}}, None, None),
        ({"type": "yes_no_na"}, "yes", None),
        (
            {"type": "yes_partly_no_na", "standard": {"met": ["yes"], "partly_counts_as": "half"}},
            "partly",
            0.5,
        ),
        (
            {"type": "yes_partly_no_na", "standard": {"met": ["yes"], "partly_counts_as": "met"}},
            "partly",
            1.0,
        ),
        (
            {
                "type": "yes_partly_no_na",
                "standard": {"met": ["yes"], "partly_counts_as": "not_met"},
            },
            "partly",
            0.0,
        ),
        ({"type": "ofsted_grade", "standard": {"met": ["outstanding", "good"]}}, "good", 1.0),
        (
            {"type": "ofsted_grade", "standard": {"met": ["outstanding", "good"]}},
            "requires_improvement",
            0.0,
        ),
        ({"type": "rag", "standard": {"met": ["green"]}}, "amber", 0.0),
        ({"type": "scale_0_10", "standard": {"min_score": 7}}, 7, 1.0),
        ({"type": "scale_0_10", "standard": {"min_score": 7}}, 6, 0.0),
        ({**CHOICE, "standard": {"met": ["cp"]}}, "cp", 1.0),
        ({**CHOICE, "type": "multi_choice", "standard": {"met": ["cin", "cp"]}}, ["cp"], 0.0),
        (
            {**CHOICE, "type": "multi_choice", "standard": {"met": ["cin", "cp"], "match": "any"}},
            ["cp"],
            1.0,
        ),
        ({**CHOICE, "type": "multi_choice", "standard": {"met": ["cp"]}}, ["cin", "cp"], 1.0),
        ({"type": "number"}, 12, None),
        ({"type": "date"}, date(2024, 3, 27), None),
        ({"type": "text"}, "na", None),
    ],
)
def test_meets_standard_scores_one_zero_half_or_leaves_the_answer_out(
    fields: dict[str, Any], answer: Any, score: float | None
) -> None:
    q = question(**{"text": "?", **fields, "id": "q1"})
    assert q.meets_standard(answer) == score


@pytest.mark.parametrize(
    ("fields", "answer"),
    [
        ({"type": "yes_no_na"}, "maybe"),
        ({"type": "yes_no_na", "allow_na": False}, "na"),
        ({"type": "yes_partly_no_na"}, True),
        ({"type": "scale_0_10"}, 11),
        ({"type": "scale_0_10"}, "7"),
        ({"type": "number", "min_value": 0}, -1),
        ({"type": "number"}, 2.5),
        ({"type": "number", "whole_number": False}, float("inf")),
        ({"type": "date"}, "2024-03-27"),
        ({**CHOICE}, "other"),
        ({**CHOICE, "type": "multi_choice"}, ["cp", "cp"]),
        ({**CHOICE, "type": "multi_choice"}, "cp"),
        ({"type": "text", "max_length": 3}, "too long"),
    ],
)
def test_an_answer_the_question_does_not_offer_is_refused(
    fields: dict[str, Any], answer: Any
) -> None:
    q = question(**{"text": "?", **fields, "id": "q1"})
    with pytest.raises(ValueError, match="q1"):
        q.meets_standard(answer)


def test_ordinal_scales_list_their_answers_from_lowest_to_highest() -> None:
    def ordered(**fields: Any) -> tuple[str | int, ...] | None:
        return question(**{"text": "?", **fields, "id": "q1"}).ordered_values

    assert ordered(type="ofsted_grade") == (
        "inadequate",
        "requires_improvement",
        "good",
        "outstanding",
    )
    assert ordered(type="rag") == ("red", "amber", "green")
    assert ordered(type="yes_partly_no_na") == ("no", "partly", "yes")
    assert ordered(type="scale_0_10") == tuple(range(11))
    assert ordered(**{**CHOICE, "ordered": True}) == ("cin", "cp")
    for nominal in ({"type": "yes_no_na"}, CHOICE, {**CHOICE, "type": "multi_choice"}):
        assert question(**{"text": "?", **nominal, "id": "q1"}).is_ordinal is False
    assert question(id="q1", text="?", type="ofsted_grade").is_ordinal is True


def test_questions_for_an_agency_follow_applies_to() -> None:
    tool = parse(tool_data({**OWN_YES_NO, "applies_to": ["police"]}, CHOICE))
    assert "supervision" in [q.id for q in tool.questions_for("police")]
    assert "supervision" not in [q.id for q in tool.questions_for("health")]
    assert "outcome" in [q.id for q in tool.questions_for("health")]


@pytest.mark.parametrize(
    ("rule", "scores", "case"),
    [
        (Rollup.all, [1.0, 1.0, 0.0], 0.0),
        (Rollup.any, [1.0, 0.0, 0.0], 1.0),
        (Rollup.majority, [1.0, 1.0, 0.0], 1.0),
        (Rollup.majority, [1.0, 0.0], 0.0),
        (Rollup.majority, [1.0, 1.0, 0.0, 0.0], 0.0),
        (Rollup.majority, [0.5, 0.5, 1.0], 0.5),
        (Rollup.all, [None, 1.0], 1.0),
        (Rollup.majority, [None, None], None),
    ],
)
def test_roll_up_gives_the_provisional_case_answer(
    rule: Rollup, scores: list[float | None], case: float | None
) -> None:
    assert roll_up(rule, scores) == case
