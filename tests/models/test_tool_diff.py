"""What changed between two versions of a tool, in words, with agencies named."""

from __future__ import annotations

import copy
from typing import Any

from models.questionnaire import Tool
from models.questionnaire.tool_diff import ToolChange, tool_changes
from tests.builders import tool_data

SHARED = {
    "id": "info_sharing",
    "type": "yes_no_na",
    "shared": True,
    "text": "Was information shared?",
    "standard": {"met": ["yes"]},
}
OWN = {"id": "supervision", "type": "rag", "text": "Was supervision regular?"}


def _tool(data: dict[str, Any]) -> Tool:
    return Tool.model_validate(data)


def test_the_same_tool_written_differently_has_no_changes() -> None:
    data = tool_data(SHARED, OWN)
    spaced = copy.deepcopy(data)
    spaced["sections"][1]["questions"][0]["text"] = "  Was information shared?  "
    spaced["sections"][1]["questions"][0]["rollup"] = "majority"  # the default, spelt out
    assert tool_changes(_tool(data), _tool(spaced)) == []


def test_a_change_of_wording_is_one_row_with_the_text_before_and_after() -> None:
    data = tool_data(SHARED, OWN)
    after = copy.deepcopy(data)
    after["sections"][1]["questions"][1]["text"] = "Was supervision regular and recorded?"
    changes = tool_changes(_tool(data), _tool(after))
    assert changes == [
        ToolChange(
            "Question “Was supervision regular and recorded?”",
            "Wording",
            "Was supervision regular?",
            "Was supervision regular and recorded?",
        )
    ]


def test_agencies_are_named_and_settings_read_as_words() -> None:
    data = tool_data(SHARED, OWN)
    after = copy.deepcopy(data)
    question = after["sections"][1]["questions"][0]
    question.update(applies_to=["police", "csc"], rollup="all", required=False)
    names = {"police": "Testshire Police", "csc": "Children's social care"}
    changes = {c.what: c for c in tool_changes(_tool(data), _tool(after), agency_names=names)}
    assert changes["Asked of"].before == "every agency"
    assert changes["Asked of"].after == "Children's social care, Testshire Police"
    assert changes["Case answer before moderation"].after == "met only if every agency says so"
    assert (
        changes["Answer needed to submit"].before,
        changes["Answer needed to submit"].after,
    ) == (
        "Yes",
        "No",
    )


def test_added_removed_moved_questions_and_renamed_sections_are_listed() -> None:
    third = {"id": "voice", "type": "yes_no_na", "text": "Was the child heard?"}
    data = tool_data(SHARED, OWN, third)
    after = copy.deepcopy(data)
    practice = after["sections"][1]
    practice["title"] = "Practice and plans"
    practice["questions"] = [practice["questions"][2], practice["questions"][0]]
    practice["questions"].append({"id": "plan", "type": "yes_no_na", "text": "Was there a plan?"})
    rows = [(c.where, c.what, c.before, c.after) for c in tool_changes(_tool(data), _tool(after))]
    assert ("Section 2: Practice and plans", "Title", "Practice", "Practice and plans") in rows
    assert ("Section 2: Practice", "Question removed", "Was supervision regular?", "(none)") in rows
    assert (
        "Section 2: Practice and plans",
        "Question added",
        "(none)",
        "Was there a plan?",
    ) in rows
    assert (
        "The questions",
        "Order",
        "as before",
        "moved: Was the child heard?; Was information shared?",
    ) in rows
