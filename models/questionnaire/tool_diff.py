"""What changed between two versions of an audit tool, as plain sentences for people (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.questionnaire.scales import LABELS
from models.questionnaire.tool import Tool, canonical_form

FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "working_together": "Working Together",
    "text": "Wording",
    "guidance": "Guidance",
    "type": "Type of answer",
    "required": "Answer needed to submit",
    "shared": "Shared between agencies",
    "allow_na": "Not applicable allowed",
    "standard": "Standard",
    "rollup": "Case answer before moderation",
    "applies_to": "Asked of",
    "applies_when": "Asked about",
    "action_rule": "Action rule",
    "finding": "Finding",
    "options": "Options",
    "ordered": "Options in scale order",
    "low_label": "Label for 0",
    "high_label": "Label for 10",
    "unit": "Unit",
    "whole_number": "Whole numbers only",
    "min_value": "Lowest number",
    "max_value": "Highest number",
    "max_length": "Longest answer (characters)",
}
TYPE_LABELS = {
    "yes_no_na": "Yes or no",
    "yes_partly_no_na": "Yes, partly or no",
    "ofsted_grade": "Ofsted grade",
    "rag": "Red, amber or green",
    "scale_0_10": "Scale of 0 to 10",
    "number": "Number",
    "date": "Date",
    "single_choice": "One option from a list",
    "multi_choice": "Any options from a list",
    "text": "Free text",
}
NOTHING = "(none)"


@dataclass(frozen=True)
class ToolChange:
    """One difference: where it is, what about it changed, and the text before and after."""

    where: str
    what: str
    before: str
    after: str


def _question_title(question: Mapping[str, Any]) -> str:
    return f"Question “{question['text']}”"


def _value_text(key: str, value: Any, agency_names: Mapping[str, str]) -> str:
    if value is None or value == "" or value == []:
        return (
            "every agency"
            if key == "applies_to"
            else "every case"
            if key == "applies_when"
            else NOTHING
        )
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "type":
        return TYPE_LABELS.get(value, str(value))
    if key == "applies_to":
        return ", ".join(agency_names.get(code, code) for code in value)
    if key == "options":
        return "; ".join(option["label"] for option in value)
    if key == "rollup":
        return {"all": "met only if every agency says so", "any": "met if any agency says so"}.get(
            value, "what most agencies say"
        )
    if isinstance(value, Mapping):
        parts = []
        for part_key, part in value.items():
            if part is None or part == []:
                continue
            if part_key == "owner_hint":
                part = agency_names.get(part, part)
            elif isinstance(part, list):
                part = ", ".join(LABELS.get(str(item), str(item)) for item in part)
            parts.append(f"{part_key.replace('_', ' ')}: {LABELS.get(str(part), part)}")
        return "; ".join(parts)
    return str(value)


def _field_changes(
    where: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    agency_names: Mapping[str, str],
    skip: tuple[str, ...] = (),
) -> list[ToolChange]:
    keys = [k for k in FIELD_LABELS if (k in before or k in after) and k not in skip]
    return [
        ToolChange(
            where,
            FIELD_LABELS[key],
            _value_text(key, before.get(key), agency_names),
            _value_text(key, after.get(key), agency_names),
        )
        for key in keys
        if before.get(key) != after.get(key)
    ]


def _pair_sections(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[tuple[int | None, int | None]]:
    """Sections paired by title, then the rest by position (a renamed section)."""
    pairs: dict[int, int] = {}
    titles = {section["title"]: index for index, section in enumerate(before)}
    for index, section in enumerate(after):
        if section["title"] in titles and titles[section["title"]] not in pairs.values():
            pairs[index] = titles.pop(section["title"])
    left = [i for i in range(len(before)) if i not in pairs.values()]
    for index in range(len(after)):
        if index not in pairs and left:
            pairs[index] = left.pop(0)
    result: list[tuple[int | None, int | None]] = [(pairs.get(i), i) for i in range(len(after))]
    return result + [(i, None) for i in left]


def _section_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]], agency_names: Mapping[str, str]
) -> list[ToolChange]:
    changes = []
    paired = _pair_sections(before, after)
    for old, new in paired:
        if old is None and new is not None:
            changes.append(
                ToolChange(f"Section {new + 1}", "Section", NOTHING, after[new]["title"])
            )
        elif new is None and old is not None:
            changes.append(
                ToolChange(f"Section {old + 1}", "Section", before[old]["title"], NOTHING)
            )
        elif old is not None and new is not None:
            where = f"Section {new + 1}: {after[new]['title']}"
            changes += _field_changes(where, before[old], after[new], agency_names)
    kept = [old for old, new in paired if old is not None and new is not None]
    if kept != sorted(kept):
        changes.append(
            ToolChange(
                "The sections",
                "Order",
                "; ".join(section["title"] for section in before),
                "; ".join(section["title"] for section in after),
            )
        )
    return changes


def _question_places(sections: list[dict[str, Any]]) -> dict[str, tuple[int, dict[str, Any]]]:
    return {
        question["id"]: (index, question)
        for index, section in enumerate(sections)
        for question in section["questions"]
    }


def _question_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]], agency_names: Mapping[str, str]
) -> list[ToolChange]:
    old, new = _question_places(before), _question_places(after)
    changes = []
    for question_id, (section, question) in new.items():
        if question_id not in old:
            where = f"Section {section + 1}: {after[section]['title']}"
            changes.append(ToolChange(where, "Question added", NOTHING, question["text"]))
            continue
        old_section, old_question = old[question_id]
        where = _question_title(question)
        if before[old_section]["title"] != after[section]["title"]:
            changes.append(
                ToolChange(where, "Section", before[old_section]["title"], after[section]["title"])
            )
        changes += _field_changes(where, old_question, question, agency_names)
    for question_id, (section, question) in old.items():
        if question_id not in new:
            where = f"Section {section + 1}: {before[section]['title']}"
            changes.append(ToolChange(where, "Question removed", question["text"], NOTHING))
    moved = _order_change(old, new)
    return changes + moved


def _order_change(
    old: dict[str, tuple[int, dict[str, Any]]], new: dict[str, tuple[int, dict[str, Any]]]
) -> list[ToolChange]:
    kept_before = [question_id for question_id in old if question_id in new]
    kept_after = [question_id for question_id in new if question_id in old]
    if kept_before == kept_after:
        return []
    moved = [
        new[question_id][1]["text"]
        for index, question_id in enumerate(kept_after)
        if kept_before.index(question_id) != index
    ]
    return [
        ToolChange(
            "The questions",
            "Order",
            "as before",
            f"moved: {'; '.join(moved)}",
        )
    ]


def tool_changes(
    before: Tool, after: Tool, *, agency_names: Mapping[str, str] | None = None
) -> list[ToolChange]:
    """Every difference of meaning between two tools, the tool's own fields first."""
    names = agency_names or {}
    old, new = canonical_form(before), canonical_form(after)
    changes = _field_changes("The tool", old, new, names, skip=("sections",))
    if old["name"] != new["name"]:
        changes.insert(0, ToolChange("The tool", "Name", old["name"], new["name"]))
    changes += _section_changes(old["sections"], new["sections"], names)
    return changes + _question_changes(old["sections"], new["sections"], names)
