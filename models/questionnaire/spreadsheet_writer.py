"""Writing a tool as a spreadsheet (XLSX or CSV sheets) or as tidy YAML, to be read back as is."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml

from models.cells import safe_cell
from models.questionnaire.conditions import CONDITION_ATTRIBUTES, Condition
from models.questionnaire.questions import Question
from models.questionnaire.sheets import cell_text
from models.questionnaire.survey_rows import (
    ACTION_COLUMNS,
    BEGIN,
    BOOLEAN_COLUMNS,
    CHOICES_COLUMNS,
    END,
    NUMBER_COLUMNS,
    PLAIN_COLUMNS,
    SETTINGS_COLUMNS,
    STANDARD_COLUMNS,
    SURVEY_COLUMNS,
)
from models.questionnaire.tool import Tool, canonical_form

Format = Literal["xlsx", "csv", "yaml"]
WIDE_COLUMNS = {"label": 60, "hint": 60, "finding": 40, "action_text": 40, "action_measure": 40}
CHOICE_TYPE_NAMES = {"single_choice": "select_one", "multi_choice": "select_multiple"}
YAML_KEY_ORDER = (
    "name", "title", "description", "working_together", "sections", "questions", "id", "type",
    "shared", "required", "allow_na", "text", "finding", "guidance", "applies_to",
    "applies_when", "low_label", "high_label", "unit", "whole_number", "min_value",
    "max_value", "max_length", "ordered", "options", "standard", "rollup", "action_rule",
)  # fmt: skip


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return cell_text(value)


def condition_text(condition: Condition | None) -> str:
    """A condition as one cell: `category: CP; age_band: under-1 1-4`."""
    if condition is None:
        return ""
    parts = []
    for attribute in CONDITION_ATTRIBUTES:
        values = getattr(condition, attribute)
        if values:
            parts.append(f"{attribute}: {' '.join(values)}")
    return "; ".join(parts)


def _question_row(question: Question) -> dict[str, str]:
    data = question.model_dump(mode="json")
    kind = CHOICE_TYPE_NAMES.get(question.type)
    row = {"type": f"{kind} {question.id}" if kind else question.type}
    for column, key in PLAIN_COLUMNS.items():
        row[column] = _cell(data.get(key))
    for column in (*BOOLEAN_COLUMNS, *NUMBER_COLUMNS, "applies_to"):
        row[column] = _cell(data.get(column))
    row["applies_when"] = condition_text(question.applies_when)
    standard = data.get("standard") or {}
    row["met"] = _cell(standard.get("met", standard.get("min_score")))
    for column, key in STANDARD_COLUMNS.items():
        row[column] = _cell(standard.get(key))
    for column, key in ACTION_COLUMNS.items():
        row[column] = _cell((data.get("action_rule") or {}).get(key))
    return row


def tool_sheets(tool: Tool) -> dict[str, list[list[str]]]:
    """The tool's sheets, each a header row and data rows, in the order they are read."""
    survey: list[list[str]] = [list(SURVEY_COLUMNS)]
    choices: list[list[str]] = [list(CHOICES_COLUMNS)]

    def add(row: dict[str, str]) -> None:
        survey.append([row.get(column, "") for column in SURVEY_COLUMNS])

    for section in tool.sections:
        begin = {"type": BEGIN, "label": section.title, "hint": section.description}
        add({**begin, "applies_when": condition_text(section.applies_when)})
        for question in section.questions:
            add(_question_row(question))
            for option in getattr(question, "options", []):
                choices.append([question.id, option.id, option.label, option.hint])
        add({"type": END})
    settings = [
        list(SETTINGS_COLUMNS),
        [tool.name, tool.title, tool.description, tool.working_together or ""],
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside the target, so a failure leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def text_writer(text: str, encoding: str = "utf-8") -> Callable[[Path], object]:
    """A writer of this text, for `write_atomically`."""
    return lambda path: path.write_text(text, encoding=encoding)


def write_xlsx(tool: Tool, path: Path) -> Path:
    """Write the tool as an XLSX workbook: survey, choices and settings sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tool_sheets(tool).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # a text that starts with "=" stays text
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        for index, column in enumerate(rows[0], start=1):
            sheet.cell(row=1, column=index).font = Font(bold=True)
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = WIDE_COLUMNS.get(
                column, max(12, len(column) + 2)
            )
            if column in WIDE_COLUMNS:
                for cell in sheet[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if name == "survey" and column in BOOLEAN_COLUMNS:
                choice = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
                sheet.add_data_validation(choice)
                choice.add(f"{letter}2:{letter}1000")
    write_atomically(path, lambda temporary: workbook.save(temporary))
    return path


def write_csv_folder(tool: Tool, folder: Path) -> Path:
    """Write the tool as survey.csv, choices.csv and settings.csv (UTF-8, for Excel too); a
    text that Excel would run as a formula is guarded, and `read_csv_folder` removes the guard."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tool_sheets(tool).items():
        buffer = io.StringIO(newline="")
        guarded = [[safe_cell(c) if isinstance(c, str) else c for c in row] for row in rows]
        csv.writer(buffer).writerows(guarded)
        write_atomically(folder / f"{name}.csv", text_writer(buffer.getvalue(), "utf-8-sig"))
    return folder


def _without_defaults(tool: Tool) -> dict[str, Any]:
    """The canonical form without the values a reader fills in anyway."""
    data = canonical_form(tool)
    blank = {"description": "", "guidance": "", "hint": "", "applies_to": []}
    defaults = {**blank, "required": True, "shared": False, "allow_na": True}
    defaults |= {"whole_number": True, "ordered": False, "max_length": 5000, "match": "all"}

    def tidy(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {
                k: tidy(v) for k, v in value.items() if v is not None and defaults.get(k, ...) != v
            }
            order = {key: index for index, key in enumerate(YAML_KEY_ORDER)}
            return dict(sorted(kept.items(), key=lambda item: order.get(item[0], len(order))))
        if isinstance(value, list):
            return [tidy(item) for item in value]
        return value

    return dict(tidy(data))


class _ToolDumper(yaml.SafeDumper):
    """Lists indented under their key; short lists of words on one line (`met: [yes]`)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    words = all(isinstance(item, str) and len(item) < 40 for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=words)


_ToolDumper.add_representer(list, _represent_list)


def tool_yaml(tool: Tool) -> str:
    """The tool as a YAML file that reads back to the same version."""
    header = f"# Audit tool {tool.name}, version {tool.version} (exported by jointaudit).\n"
    data = _without_defaults(tool)
    body = yaml.dump(data, Dumper=_ToolDumper, sort_keys=False, allow_unicode=True, width=92)
    return header + body


def write_tool(tool: Tool, out: Path, fmt: Format) -> Path:
    """Write the tool in the format asked for; CSV is a folder of the three sheets."""
    if fmt == "xlsx":
        return write_xlsx(tool, out)
    if fmt == "csv":
        return write_csv_folder(tool, out)
    write_atomically(out, text_writer(tool_yaml(tool)))
    return out
