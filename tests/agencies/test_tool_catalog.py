"""The tool catalogue: built-in tools, partnership folders, and loading by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import ImportFileError, NotFoundError
from models.questionnaire import (
    CLOSING_QUESTION_IDS,
    KNOWN_QUESTION_ID,
    KNOWN_QUESTION_TEXT,
    QUESTION_TYPES,
    CaseAttributes,
)
from models.questionnaire import catalog as tool_catalog
from models.questionnaire.catalog import BUILTIN_DIR, catalog, list_tools, load_tool

DOMESTIC_ABUSE_THEMES = {
    "info_sharing",
    "risk_early",
    "management_direction",
    "plan_clear",
    "plan_supports",
    "plan_tasks",
    "cin_perpetrator",
    "referral_quality",
    "voice_of_child",
    "direct_work",
    "research_informed",
    "marac_mappa_pathway",
    "supervision",
}
NEGLECT_THEMES = {
    "neglect_recognised",
    "cumulative_harm",
    "info_sharing",
    "assessment_tool",
    "physical_care",
    "safety",
    "love_and_care",
    "stimulation_education",
    "child_seen",
    "daily_life_understood",
    "voice_changed_practice",
    "help_early",
    "plan_specific",
    "drift_avoided",
    "care_improved",
    "overall_quality",
}
S47_THEMES = {
    "strategy_held",
    "held_in_time",
    "hours_to_strategy",
    "attendance",
    "info_shared",
    "decision_recorded",
    "s47_outcome",
    "child_seen",
    "child_heard",
    "plan_clear",
    "own_actions_done",
    "overall_quality",
}


def partnership_tool(folder: Path, name: str = "s47-local") -> Path:
    """Copy a built-in under a new name into a partnership folder."""
    text = (BUILTIN_DIR / "s47-strategy.yaml").read_text(encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(text.replace("name: s47-strategy", f"name: {name}"), encoding="utf-8")
    return path


def test_the_built_in_tools_are_domestic_abuse_neglect_and_s47_strategy() -> None:
    entries = catalog()
    assert [(e.name, e.builtin, e.source) for e in entries] == [
        ("domestic-abuse", True, "built-in"),
        ("neglect", True, "built-in"),
        ("s47-strategy", True, "built-in"),
    ]


def test_every_built_in_tool_validates_and_cites_working_together() -> None:
    for _, tool in list_tools():
        assert tool.working_together is not None
        assert "Working Together to Safeguard Children" in tool.working_together


def test_every_built_in_tool_is_framed_by_the_known_and_closing_questions() -> None:
    for _, tool in list_tools():
        ids = [q.id for q in tool.questions()]
        assert ids[0] == KNOWN_QUESTION_ID
        assert tool.question(KNOWN_QUESTION_ID).text == KNOWN_QUESTION_TEXT
        assert tuple(ids[-3:]) == CLOSING_QUESTION_IDS


def test_the_domestic_abuse_tool_covers_the_themes_of_the_council_audit() -> None:
    ids = {q.id for q in load_tool("domestic-abuse").questions()}
    assert ids >= DOMESTIC_ABUSE_THEMES


def test_the_s47_tool_covers_timing_attendance_decision_outcome_child_and_plan() -> None:
    tool = load_tool("s47-strategy")
    assert {q.id for q in tool.questions()} >= S47_THEMES
    types = {q.id: q.type for q in tool.questions()}
    assert types["hours_to_strategy"] == "number"
    assert types["strategy_date"] == "date"
    assert types["s47_outcome"] == "single_choice"
    assert types["attendance"] == "multi_choice"
    assert types["overall_quality"] == "ofsted_grade"


def test_the_neglect_tool_covers_the_graded_care_profile_areas_the_child_and_the_response() -> None:
    tool = load_tool("neglect")
    assert {q.id for q in tool.questions()} >= NEGLECT_THEMES
    assert tool.working_together is not None
    assert "Working Together to Safeguard Children 2023" in tool.working_together
    assert "definition of neglect" in tool.working_together
    for area in ("physical_care", "safety", "love_and_care", "stimulation_education"):
        # The child's care is every agency's judgement of the same thing, compared for agreement.
        assert (tool.question(area).type, tool.question(area).shared) == ("rag", True)
    titles = [section.title for section in tool.sections]
    assert titles[2:5] == [
        "The child's care",
        "The child's lived experience",
        "The response to neglect",
    ]


def test_the_neglect_tool_asks_age_and_plan_questions_only_about_the_cases_they_fit() -> None:
    tool = load_tool("neglect")
    baby = CaseAttributes.of(category="CIN", flags=["neglect"], age_band="under-1")
    teenager = CaseAttributes.of(category="CP", flags=["neglect"], age_band="10-15")
    asked_baby = {q.id for q in tool.questions_for_case(baby)}
    asked_teen = {q.id for q in tool.questions_for_case(teenager)}
    assert {"safe_sleep", "early_development"} <= asked_baby - asked_teen
    assert {"school_attendance", "cp_plan_changes", "core_group_contribution"} <= (
        asked_teen - asked_baby
    )
    every_case = {q.id for q in tool.questions()} - asked_baby - asked_teen
    assert every_case == set()
    unconditional = [q.id for q in tool.questions_for_case(CaseAttributes())]
    assert "safe_sleep" not in unconditional and "info_sharing" in unconditional


def test_own_practice_questions_are_not_shared_and_multi_agency_ones_are() -> None:
    da = load_tool("domestic-abuse")
    for shared in ("info_sharing", "risk_early", "voice_of_child"):
        assert da.question(shared).shared
        assert da.question(shared).rollup is not None
    for own in ("supervision", "management_direction", "referral_quality"):
        assert not da.question(own).shared
        assert da.question(own).rollup is None


def test_every_scored_built_in_question_says_how_it_is_met() -> None:
    for _, tool in list_tools():
        for question in tool.questions():
            if question.action_rule is not None:
                assert question.standard is not None
            if question.shared and question.standard is not None:
                assert question.rollup is not None


def test_the_built_in_tools_use_every_question_type_between_them() -> None:
    used = {q.type for _, tool in list_tools() for q in tool.questions()}
    assert used == set(QUESTION_TYPES)


def test_a_partnership_folder_adds_its_tools_after_the_built_ins(tmp_path: Path) -> None:
    partnership_tool(tmp_path)
    entries = catalog([tmp_path])
    assert [e.name for e in entries] == ["domestic-abuse", "neglect", "s47-strategy", "s47-local"]
    assert entries[-1].source == str(tmp_path / "s47-local.yaml")
    assert load_tool("s47-local", [tmp_path]).name == "s47-local"


def test_a_partnership_tool_cannot_reuse_a_built_in_name(tmp_path: Path) -> None:
    partnership_tool(tmp_path, "s47-strategy")
    with pytest.raises(ImportFileError, match="already comes from built-in"):
        catalog([tmp_path])


def test_a_tool_whose_name_differs_from_its_file_is_rejected_at_name(tmp_path: Path) -> None:
    path = partnership_tool(tmp_path)
    path.rename(tmp_path / "s47-2024.yaml")
    with pytest.raises(ImportFileError) as caught:
        load_tool("s47-2024", [tmp_path])
    [problem] = caught.value.problems
    assert problem.where.endswith(", name")
    assert problem.message == "must match the file name: 's47-2024'"


def test_a_built_in_tool_without_a_working_together_citation_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (BUILTIN_DIR / "s47-strategy.yaml").read_text(encoding="utf-8")
    start = text.index("working_together:")
    end = text.index("sections:")
    (tmp_path / "s47-strategy.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    monkeypatch.setattr(tool_catalog, "BUILTIN_DIR", tmp_path)
    with pytest.raises(ImportFileError, match="built-in tools must cite Working Together"):
        load_tool("s47-strategy")


def test_an_unknown_tool_name_lists_the_tools_there_are() -> None:
    with pytest.raises(NotFoundError) as caught:
        load_tool("exploitation")
    assert str(caught.value) == (
        "no audit tool named 'exploitation'; known tools: domestic-abuse, neglect, s47-strategy"
    )


def test_a_missing_partnership_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        catalog([tmp_path / "missing"])
