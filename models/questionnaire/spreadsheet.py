"""Audit tools as spreadsheets: `survey`, `choices` and `settings` sheets, after XLSForm.

The sheets map onto the same typed `Tool` as the YAML, so a tool has the same version
whichever format it came from. Every problem names its sheet, row and column, and nothing is
returned unless the whole workbook is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.errors import ImportFileError, Problem
from models.questionnaire.base import Problems
from models.questionnaire.conditions import CONDITION_ATTRIBUTES
from models.questionnaire.located import Loc
from models.questionnaire.sheets import Sheet, read_csv_folder, read_workbook
from models.questionnaire.survey_rows import BEGIN, END, SheetReader, read_survey
from models.questionnaire.tool import Tool
from models.yaml_source import _clean_path, load_yaml


def _problem_message(detail: Any, path: Loc, question_type: str | None) -> str:
    kind, message = detail["type"], str(detail["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        return "missing: fill in this column"
    if kind == "too_short" and detail["loc"][-1:] == ("questions",):
        return f"this section has no questions: put them between its {BEGIN} and {END} rows"
    if kind == "extra_forbidden" and path[-2:-1] == ("applies_when",):
        known = ", ".join(CONDITION_ATTRIBUTES[:-1]) + f" or {CONDITION_ATTRIBUTES[-1]}"
        return f'unknown attribute "{path[-1]}": a condition tests {known}'
    if kind == "extra_forbidden":
        shown = f"{question_type} questions" if question_type else "this row"
        return f"this column does not apply to {shown}: leave it blank"
    return message


def _locate(reader: SheetReader, data: dict[str, Any], error: ValidationError) -> list[Problem]:
    """Problems from the model, placed at the sheet, row and column they were written in."""
    problems = []
    for detail in error.errors(include_url=False):
        parts = _clean_path(data, [p for p in detail["loc"] if isinstance(p, int | str)])
        path: Loc = tuple(parts)
        where = reader.place(path)
        question_type = None
        if len(path) >= 4 and path[0] == "sections" and path[2] == "questions":
            question = data["sections"][path[1]]["questions"][path[3]]
            question_type = question.get("type") if isinstance(question, dict) else None
        problems.append(Problem(where, _problem_message(detail, path, question_type)))
    return problems


Check = Callable[[Tool], Problems]
"""Further rules for a valid tool (such as the register's vocabulary), as located problems."""


def tool_from_sheets(source: str, sheets: dict[str, Sheet], *, check: Check | None = None) -> Tool:
    """Validate the sheets as one tool, or raise ImportFileError with every located problem."""
    reader = SheetReader(source, sheets)
    for name in ("survey", "settings"):
        if name not in sheets:
            reader.fail(
                f"{name} sheet",
                "missing: a tool spreadsheet has the sheets survey, choices and settings",
            )
    if reader.problems:
        raise ImportFileError(source, reader.problems)
    for sheet in sheets.values():
        reader.check_columns(sheet)
    if reader.problems:
        raise ImportFileError(source, reader.problems)
    data: dict[str, Any] = {}
    reader.settings(data)
    reader.places[("sections",)] = "survey sheet"
    data["sections"] = read_survey(reader, reader.choice_lists())
    try:
        tool = Tool.model_validate(data)
    except ValidationError as error:
        reported = {p.where for p in reader.problems}
        reader.problems += [p for p in _locate(reader, data, error) if p.where not in reported]
    if not reader.problems and check is not None:
        for loc, message in check(tool):
            reader.fail(reader.place(loc), message)
    if reader.problems:
        raise ImportFileError(source, _unique(reader.problems))
    return tool


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def is_spreadsheet(path: Path | str) -> bool:
    """Whether a path names a tool spreadsheet: an .xlsx file or a folder of CSV sheets."""
    path = Path(path)
    return path.suffix.lower() == ".xlsx" or path.is_dir()


def is_csv_folder(path: Path | str) -> bool:
    """Whether a path is a folder holding a survey.csv sheet."""
    return (Path(path) / "survey.csv").is_file()


def read_spreadsheet(path: Path | str, *, check: Check | None = None) -> Tool:
    """Read a tool from an XLSX workbook or a folder of CSV sheets."""
    path = Path(path)
    if path.is_dir():
        return tool_from_sheets(str(path), read_csv_folder(path), check=check)
    if not path.is_file():
        raise ImportFileError(str(path), [Problem("file", "not found")])
    return tool_from_sheets(str(path), read_workbook(path), check=check)


def read_tool_file(path: Path | str, *, check: Check | None = None) -> Tool:
    """Read a tool from YAML, an XLSX workbook, or a folder of CSV sheets."""
    if is_spreadsheet(path):
        return read_spreadsheet(path, check=check)
    document = load_yaml(path)
    tool = document.validate(Tool)
    problems = [document.problem(loc, message) for loc, message in (check or _none)(tool)]
    if problems:
        raise ImportFileError(document.source, problems)
    return tool


def _none(tool: Tool) -> Problems:
    yield from ()
