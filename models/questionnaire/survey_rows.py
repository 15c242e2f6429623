"""The survey sheet of a tool spreadsheet: one row per question, or a section's begin or end.

Rows become the same dictionaries a YAML tool holds; `places` remembers where each part was
written, so that the model's own problems can be reported at a sheet, row and column.
"""

from __future__ import annotations

import re
from typing import Any

from models.errors import Problem
from models.questionnaire.located import Loc
from models.questionnaire.questions import QUESTION_TYPES
from models.questionnaire.scales import OFSTED_DISPLAY, RAG_DISPLAY, YES_NO, YES_PARTLY_NO
from models.questionnaire.sheets import Sheet

SURVEY_COLUMNS = (
    "type", "name", "label", "hint", "required", "shared", "allow_na", "met",
    "partly_counts_as", "match", "rollup", "applies_to", "applies_when", "action_threshold",
    "action_text", "action_measure", "action_owner", "finding", "low_label", "high_label",
    "unit", "whole_number", "min_value", "max_value", "max_length", "ordered",
)  # fmt: skip
CHOICES_COLUMNS = ("list_name", "name", "label", "hint")
SETTINGS_COLUMNS = ("name", "title", "description", "working_together")
SETTINGS_ALIASES = {"form_id": "name", "form_title": "title"}
REQUIRED_COLUMNS = {
    "survey": ("type", "name", "label"),
    "choices": ("list_name", "name", "label"),
    "settings": ("name", "title"),
}
KNOWN_COLUMNS = {
    "survey": SURVEY_COLUMNS,
    "choices": CHOICES_COLUMNS,
    "settings": (*SETTINGS_COLUMNS, *SETTINGS_ALIASES),
}
CHOICE_TYPES = {"select_one": "single_choice", "select_multiple": "multi_choice"}
BEGIN, END = "begin section", "end section"
ANSWERS = {
    "yes_no_na": YES_NO,
    "yes_partly_no_na": YES_PARTLY_NO,
    "ofsted_grade": OFSTED_DISPLAY,
    "rag": RAG_DISPLAY,
}
TRUE_WORDS = {"yes", "true", "y", "1", "true()"}
FALSE_WORDS = {"no", "false", "n", "0", "false()"}
BOOLEAN_COLUMNS = ("required", "shared", "allow_na", "whole_number", "ordered")
NUMBER_COLUMNS = {"min_value": float, "max_value": float, "max_length": int}
PLAIN_COLUMNS = {
    "name": "id", "label": "text", "hint": "guidance", "rollup": "rollup", "finding": "finding",
    "low_label": "low_label", "high_label": "high_label", "unit": "unit",
}  # fmt: skip
ACTION_COLUMNS = {
    "action_threshold": "threshold_percent",
    "action_text": "action",
    "action_measure": "success_measure",
    "action_owner": "owner_hint",
}
STANDARD_COLUMNS = {"partly_counts_as": "partly_counts_as", "match": "match"}
SPLIT = re.compile(r"[\s,;]+")


def split_list(text: str) -> list[str]:
    """Values written in one cell, separated by spaces, commas or semicolons."""
    return [part for part in SPLIT.split(text) if part]


def section_type(text: str) -> str | None:
    """`begin section` or `end section` (also XLSForm's `begin group`), else None."""
    words = " ".join(text.lower().replace("_", " ").split())
    for kind in (BEGIN, END):
        if words in (kind, kind.replace("section", "group")):
            return kind
    return None


class SheetReader:
    """Builds the tool's data from the sheets, remembering where each part was written."""

    def __init__(self, source: str, sheets: dict[str, Sheet]) -> None:
        self.source = source
        self.sheets = sheets
        self.problems: list[Problem] = [p for sheet in sheets.values() for p in sheet.problems]
        self.places: dict[Loc, str] = {}

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def place(self, loc: Loc) -> str:
        """Where the deepest known part of a path was written."""
        for length in range(len(loc), -1, -1):
            if loc[:length] in self.places:
                return self.places[loc[:length]]
        return "survey"

    def check_columns(self, sheet: Sheet) -> None:
        known = KNOWN_COLUMNS[sheet.name]
        for index, column in enumerate(sheet.columns, start=1):
            if column and column not in known:
                self.fail(
                    f"{sheet.name} row 1, column {column}",
                    f"unknown column; the {sheet.name} sheet has {', '.join(known)}",
                )
            elif column and sheet.columns.index(column) + 1 != index:
                self.fail(f"{sheet.name} row 1, column {column}", "this column appears twice")
        given = {SETTINGS_ALIASES.get(column, column) for column in sheet.columns}
        for column in REQUIRED_COLUMNS[sheet.name]:
            if column not in given:
                self.fail(f"{sheet.name} row 1", f"missing column {column}")

    def boolean(self, where: str, text: str) -> bool | None:
        word = text.lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        self.fail(where, f'"{text}" is not yes or no')
        return None

    def number(self, where: str, text: str, kind: type[int] | type[float]) -> float | None:
        try:
            value = float(text.removesuffix("%"))
        except ValueError:
            self.fail(where, f'"{text}" is not a number')
            return None
        if kind is int and not value.is_integer():
            self.fail(where, f'"{text}" is not a whole number')
            return None
        return int(value) if kind is int else value

    def settings(self, data: dict[str, Any]) -> None:
        sheet = self.sheets["settings"]
        if not sheet.rows:
            self.fail("settings row 2", "missing: give the tool's name and title on row 2")
            self.places[()] = "settings row 2"  # the model's own "missing" is then not repeated
            return
        number, cells = sheet.rows[0]
        for column in filter(None, sheet.columns):  # blank cells too: a missing one is located
            key = SETTINGS_ALIASES.get(column, column)
            if column in cells:
                data[key] = cells[column]
            self.places[(key,)] = f"settings row {number}, column {column}"
        self.places[()] = f"settings row {number}"
        for extra, _ in sheet.rows[1:]:
            self.fail(f"settings row {extra}", "the settings sheet has one row under its header")

    def choice_lists(self) -> dict[str, list[tuple[int, dict[str, str]]]]:
        lists: dict[str, list[tuple[int, dict[str, str]]]] = {}
        sheet = self.sheets.get("choices")
        for number, cells in sheet.rows if sheet else []:
            name = cells.get("list_name")
            if name is None:
                self.fail(f"choices row {number}, column list_name", "missing list name")
                continue
            lists.setdefault(name, []).append((number, cells))
        return lists


Lists = dict[str, list[tuple[int, dict[str, str]]]]
SECTION_COLUMNS = {"type", "name", "label", "hint", "applies_when"}
TYPE_ADVICE = ", ".join(
    (*QUESTION_TYPES[:-3], "select_one LIST", "select_multiple LIST", "text", BEGIN, END)
)


def parse_condition(reader: SheetReader, where: str, text: str) -> dict[str, Any] | None:
    """`category: CP; age_band: under-1, 1-4` as the data of a condition."""
    condition: dict[str, Any] = {}
    for clause in (part.strip() for part in re.split(r"[;\n]", text)):
        if not clause:
            continue
        attribute, colon, values = clause.partition(":")
        if not colon:
            reader.fail(
                where,
                f'"{clause}" is not a condition: write attribute: values, '
                'e.g. "category: CP; age_band: under-1, 1-4"',
            )
            return None
        condition["_".join(attribute.lower().split())] = split_list(values)
    return condition


def _met(
    reader: SheetReader, where: str, kind: str, text: str, lists: Lists, list_name: str
) -> Any:
    if kind == "scale_0_10":
        return reader.number(where, text, int)
    if kind in ANSWERS:
        allowed: tuple[str, ...] = ANSWERS[kind]
        values, noun = split_list(text.lower()), f"an answer of {kind}"
    elif list_name:
        allowed = tuple(cells.get("name", "") for _, cells in lists[list_name])
        values, noun = split_list(text), f"a choice of the list {list_name}"
    else:
        return split_list(text)  # the model says that this type has no standard
    for value in values:
        if value not in allowed:
            reader.fail(where, f'"{value}" is not {noun}')
    return [value for value in values if value in allowed]


def _question_type(reader: SheetReader, where: str, text: str, lists: Lists) -> tuple[str, str]:
    """The model's type and the choice list's name; ("", "") when the type is unusable."""
    words = text.split()
    first = words[0].lower()
    if first in CHOICE_TYPES or first in CHOICE_TYPES.values():
        if len(words) != 2:
            reader.fail(where, f'"{text}" needs its list\'s name, e.g. "{first} outcome"')
        elif words[1] not in lists:
            reader.fail(where, f'unknown list "{words[1]}": give its choices on the choices sheet')
        else:
            return CHOICE_TYPES.get(first, first), words[1]
    elif first in QUESTION_TYPES and len(words) == 1:
        return first, ""
    else:
        reader.fail(where, f'unknown type "{text}": use one of {TYPE_ADVICE}')
    return "", ""


def _question(
    reader: SheetReader, number: int, cells: dict[str, str], lists: Lists, loc: Loc
) -> dict[str, Any] | None:
    here = f"survey row {number}"

    def at(column: str) -> str:
        return f"{here}, column {column}"

    kind, list_name = _question_type(reader, at("type"), cells["type"], lists)
    if not kind:
        return None
    data: dict[str, Any] = {"type": kind}
    places = {loc: here, (*loc, "type"): at("type")}
    for column, key in PLAIN_COLUMNS.items():
        places[(*loc, key)] = at(column)
        if column in cells:
            data[key] = cells[column]
    for column in BOOLEAN_COLUMNS:
        places[(*loc, column)] = at(column)
        if column in cells:
            data[column] = reader.boolean(at(column), cells[column])
    for column, number_kind in NUMBER_COLUMNS.items():
        if column in cells:
            places[(*loc, column)] = at(column)
            data[column] = reader.number(at(column), cells[column], number_kind)
    if "applies_to" in cells:
        places[(*loc, "applies_to")] = at("applies_to")
        data["applies_to"] = split_list(cells["applies_to"])
    if "applies_when" in cells:
        places[(*loc, "applies_when")] = at("applies_when")
        data["applies_when"] = parse_condition(reader, at("applies_when"), cells["applies_when"])
    if list_name:
        data["options"] = []
        places[(*loc, "options")] = at("type")
        for index, (row, choice) in enumerate(lists[list_name]):
            option: dict[str, str] = {k: choice[k] for k in ("label", "hint") if k in choice}
            option["id"] = choice.get("name", "")
            data["options"].append(option)
            places[(*loc, "options", index)] = f"choices row {row}"
            for key, column in (("id", "name"), ("label", "label"), ("hint", "hint")):
                places[(*loc, "options", index, key)] = f"choices row {row}, column {column}"
    standard = {key: cells[column] for column, key in STANDARD_COLUMNS.items() if column in cells}
    places.update({(*loc, "standard", key): at(column) for column, key in STANDARD_COLUMNS.items()})
    if "met" in cells:
        met = _met(reader, at("met"), kind, cells["met"], lists, list_name)
        standard["min_score" if kind == "scale_0_10" else "met"] = met
    if standard:
        data["standard"] = standard
        for key in ("", "met", "min_score"):
            places[(*loc, "standard", key) if key else (*loc, "standard")] = at("met")
    action: dict[str, Any] = {}
    for column, key in ACTION_COLUMNS.items():
        places[(*loc, "action_rule", key)] = at(column)
        if column in cells:
            action[key] = cells[column]
    if action:
        places[(*loc, "action_rule")] = at(next(c for c in ACTION_COLUMNS if c in cells))
        if "threshold_percent" in action:
            threshold = cells["action_threshold"]
            action["threshold_percent"] = reader.number(at("action_threshold"), threshold, int)
        data["action_rule"] = action
    reader.places.update(places)
    return data


def _section(reader: SheetReader, number: int, cells: dict[str, str], index: int) -> dict[str, Any]:
    here, loc = f"survey row {number}", ("sections", index)
    for column in cells:
        if column not in SECTION_COLUMNS:
            reader.fail(
                f"{here}, column {column}",
                "a begin section row has only a label, "
                "a hint and applies_when: leave this column blank",
            )
    section: dict[str, Any] = {"title": cells.get("label", ""), "questions": []}
    reader.places.update(
        {
            loc: here,
            (*loc, "questions"): here,
            (*loc, "title"): f"{here}, column label",
            (*loc, "description"): f"{here}, column hint",
            (*loc, "applies_when"): f"{here}, column applies_when",
        }
    )
    if "hint" in cells:
        section["description"] = cells["hint"]
    if "applies_when" in cells:
        where = f"{here}, column applies_when"
        section["applies_when"] = parse_condition(reader, where, cells["applies_when"])
    return section


def read_survey(reader: SheetReader, lists: Lists) -> list[dict[str, Any]]:
    """The sections of the survey sheet, each with its questions, as a tool's data."""
    sections: list[dict[str, Any]] = []
    open_row: int | None = None
    first_row: dict[str, int] = {}
    for number, cells in reader.sheets["survey"].rows:
        where = f"survey row {number}, column type"
        if "type" not in cells:
            reader.fail(where, f"missing: give a question type, {BEGIN} or {END}")
            continue
        kind = section_type(cells["type"])
        if kind == BEGIN:
            if open_row is not None:
                reader.fail(
                    where,
                    f"sections cannot be nested: the section begun on survey row {open_row} "
                    f"needs an {END} row before this one",
                )
            open_row = number
            sections.append(_section(reader, number, cells, len(sections)))
        elif kind == END:
            if open_row is None:
                reader.fail(where, f"an {END} row with no {BEGIN} row above it")
            open_row = None
        elif open_row is None:
            reader.fail(where, f"this question is outside a section: add a {BEGIN} row above it")
        else:
            loc = ("sections", len(sections) - 1, "questions", len(sections[-1]["questions"]))
            question = _question(reader, number, cells, lists, loc)
            name = cells.get("name", "")
            if name and name in first_row:
                reader.fail(
                    f"survey row {number}, column name",
                    f'duplicate name "{name}" (first on survey row {first_row[name]})',
                )
            first_row.setdefault(name, number)
            if question is not None:
                sections[-1]["questions"].append(question)
    if open_row is not None:
        reader.fail(
            f"survey row {open_row}, column type",
            f"this section has no {END} row: add one after its last question",
        )
    if not sections and not reader.problems:
        reader.fail("survey sheet", f"no sections: begin each with a {BEGIN} row")
    return sections
