"""Conditional questions: `applies_when` on the case's category, flags and age band."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from flows.register import rows as register_rows
from models.errors import ImportFileError
from models.questionnaire import Tool, read_tool
from models.questionnaire.catalog import list_tools
from models.questionnaire.conditions import (
    AGE_BANDS,
    CaseAttributes,
    Condition,
    applies,
    condition_holds,
    vocabulary_problems,
)
from models.yaml_source import format_path
from tests.builders import tool_data

CP_PLAN: dict[str, Any] = {
    "id": "cp_plan_clear",
    "type": "yes_no_na",
    "text": "Was the child protection plan clear?",
    "standard": {"met": ["yes"]},
    "applies_when": {"category": ["CP"]},
}
BABY: dict[str, Any] = {
    "id": "safe_sleep",
    "type": "yes_no_na",
    "text": "Was safe sleeping discussed with the parents?",
    "applies_when": {"age_band": ["under-1"], "flags": ["neglect"]},
}
EVERY_CASE: dict[str, Any] = {"id": "seen", "type": "yes_no_na", "text": "Was the child seen?"}

CP_BABY = CaseAttributes.of(category="CP", flags=["neglect"], age_band="under-1")
CIN_TEEN = CaseAttributes.of(category="CIN", flags=["exploitation"], age_band="10-15")


def conditional_tool(**section_extra: Any) -> Tool:
    data = tool_data(EVERY_CASE, CP_PLAN, BABY)
    data["sections"][1].update(section_extra)
    return Tool.model_validate(data)


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    yaml_text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ImportFileError) as caught:
        read_tool("tool.yaml", text=yaml_text)
    return [(p.where.split(", ")[-1], p.message) for p in caught.value.problems]


def test_a_question_without_a_condition_applies_to_every_case() -> None:
    tool = conditional_tool()
    for case in (CP_BABY, CIN_TEEN, CaseAttributes()):
        assert applies(tool.question("seen"), case)


def test_a_category_condition_applies_only_to_cases_of_that_category() -> None:
    question = conditional_tool().question("cp_plan_clear")
    assert applies(question, CP_BABY)
    assert not applies(question, CIN_TEEN)
    assert applies(question, CaseAttributes.of(category="cp"))


def test_every_attribute_named_must_match_and_any_value_of_one_attribute_does() -> None:
    question = conditional_tool().question("safe_sleep")
    assert applies(question, CP_BABY)
    assert not applies(question, CaseAttributes.of(category="CP", age_band="under-1"))
    assert not applies(question, CaseAttributes.of(category="CP", flags=["neglect"]))
    either = Condition.model_validate({"age_band": ["under-1", "1-4"]})
    assert condition_holds(either, CaseAttributes.of(category=None, age_band="1-4"))


def test_a_case_without_the_attribute_recorded_does_not_match_a_condition_on_it() -> None:
    assert not condition_holds(Condition(category=["CP"]), CaseAttributes())
    assert not condition_holds(Condition(age_band=["16-17"]), CaseAttributes.of(category="CP"))


def test_a_section_condition_applies_to_every_question_in_it() -> None:
    tool = conditional_tool(applies_when={"flags": ["exploitation"]})
    section = tool.sections[1]
    assert applies(tool.question("seen"), CIN_TEEN, within=section)
    assert not applies(tool.question("seen"), CP_BABY, within=section)
    assert [q.id for q in tool.questions_for_case(CIN_TEEN)] == [
        "known_to_agency",
        "seen",
        "good_practice",
        "areas_for_development",
        "recommendations",
    ]


def test_the_questions_for_a_case_follow_its_attributes_and_the_agency() -> None:
    data = tool_data(EVERY_CASE, {**CP_PLAN, "applies_to": ["csc"]}, BABY)
    tool = Tool.model_validate(data)
    assert [q.id for q in tool.questions_for_case(CP_BABY)][1:4] == [
        "seen",
        "cp_plan_clear",
        "safe_sleep",
    ]
    assert [q.id for q in tool.questions_for_case(CP_BABY, "police")][1:3] == [
        "seen",
        "safe_sleep",
    ]
    assert [q.id for q in tool.questions_for_case(CIN_TEEN)][1:-3] == ["seen"]


def test_conditions_are_sets_so_their_order_and_case_are_no_part_of_the_version() -> None:
    one = copy.deepcopy(BABY)
    one["applies_when"] = {"flags": ["Neglect", "s47"], "age_band": ["1-4", "under-1"]}
    two = copy.deepcopy(BABY)
    two["applies_when"] = {"age_band": ["under-1", "1-4", "1-4"], "flags": ["s47", "neglect"]}
    versions = {Tool.model_validate(tool_data(q)).version for q in (one, two)}
    assert len(versions) == 1
    cp = Condition.model_validate({"category": "cp"})
    assert cp.category == ["CP"]


def test_a_condition_changes_the_version_and_no_condition_keeps_the_old_one() -> None:
    plain = Tool.model_validate(tool_data(EVERY_CASE))
    conditional = Tool.model_validate(tool_data({**EVERY_CASE, "applies_when": {"category": "CP"}}))
    assert plain.version != conditional.version
    assert "applies_when" not in str(plain.model_dump(mode="json"))


def test_the_built_in_tools_keep_their_versions_without_conditions() -> None:
    for _, tool in list_tools():
        if not any(q.applies_when for q in tool.questions()):
            assert "applies_when" not in str(tool.model_dump(mode="json"))


def test_an_empty_condition_is_refused_at_applies_when() -> None:
    problems = problems_of(tool_data({**EVERY_CASE, "applies_when": {}}))
    assert problems == [
        (
            "sections[1].questions[0].applies_when",
            "a condition names at least one of category, flags or age_band "
            "(or leave applies_when out: the question applies to every case)",
        )
    ]


def test_an_unknown_attribute_or_age_band_is_refused_where_it_is_written() -> None:
    bad = {**EVERY_CASE, "applies_when": {"gender": ["f"], "age_band": ["teen"]}}
    wheres = [where for where, _ in problems_of(tool_data(bad))]
    assert wheres == [
        "sections[1].questions[0].applies_when.age_band[0]",
        "sections[1].questions[0].applies_when.gender",
    ]


def test_the_frame_questions_and_sections_cannot_be_conditional() -> None:
    data = tool_data(EVERY_CASE)
    data["sections"][0]["questions"][0]["applies_when"] = {"category": ["CP"]}
    data["sections"][2]["applies_when"] = {"category": ["CP"]}
    problems = dict(problems_of(data))
    assert "known_to_agency" in problems["sections[0].questions[0].applies_when"]
    assert "first and last sections" in problems["sections[2].applies_when"]


def test_a_question_whose_condition_contradicts_its_section_is_refused() -> None:
    data = tool_data(CP_PLAN)
    data["sections"][1]["applies_when"] = {"category": ["CIN"]}
    assert problems_of(data) == [
        (
            "sections[1].questions[0].applies_when",
            "this question's category never matches its section's category, "
            "so it would never be asked",
        )
    ]


def test_conditions_naming_categories_or_flags_the_register_does_not_use_are_found() -> None:
    tool = conditional_tool(applies_when={"flags": ["neglcet"]})
    found = [
        (format_path(loc), message)
        for loc, message in vocabulary_problems(
            tool.sections, categories=("EH", "CIN", "CP"), flags=("neglect", "s47")
        )
    ]
    assert [where for where, _ in found] == ["sections[1].applies_when.flags"]
    assert found[0][1].startswith("unknown case flag 'neglcet'; the register uses neglect, s47")
    assert not list(
        vocabulary_problems(tool.sections, categories=("CP",), flags=("neglcet", "neglect"))
    )


def test_the_conditions_know_the_same_age_bands_as_the_register() -> None:
    assert AGE_BANDS == register_rows.AGE_BANDS


def test_a_condition_is_described_in_plain_words() -> None:
    condition = Condition.model_validate({"category": ["CP", "CIN"], "age_band": ["under-1"]})
    assert condition.describe() == (
        "the case category is CIN or CP and the child's age band is under-1"
    )
