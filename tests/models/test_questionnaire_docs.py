"""The tool format documentation: its complete example is a valid tool and its error is real."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import ImportFileError
from models.questionnaire import QUESTION_TYPES, read_tool
from models.questionnaire.spreadsheet import read_spreadsheet
from models.questionnaire.survey_rows import SURVEY_COLUMNS

DOCS = Path(__file__).parents[2] / "docs" / "audit-tools.md"


def example() -> str:
    text = DOCS.read_text(encoding="utf-8").split("## A complete example")[1]
    return text.split("```yaml\n")[1].split("```")[0]


def test_the_documented_example_is_a_valid_tool_using_every_question_type() -> None:
    tool = read_tool("neglect-local.yaml", text=example())
    assert tool.name == "neglect-local"
    assert {q.type for q in tool.questions()} == set(QUESTION_TYPES)


def test_the_documented_error_is_the_one_jointaudit_reports() -> None:
    anchor = "      - id: tool_used\n        type: yes_no_na\n"
    bad = example().replace(anchor, anchor + "        rollup: majority\n")
    with pytest.raises(ImportFileError) as caught:
        read_tool("neglect-local.yaml", text=bad)
    [problem] = caught.value.problems
    documented = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert f"neglect-local.yaml: {problem.where}: {problem.message}" in documented


def test_the_downloadable_template_is_the_documented_example_as_a_workbook() -> None:
    template = read_spreadsheet(DOCS.parent / "audit-tool-template.xlsx")
    assert template.version == read_tool("neglect-local.yaml", text=example()).version


def test_the_documented_spreadsheet_columns_are_the_ones_read() -> None:
    documented = DOCS.read_text(encoding="utf-8").split("## Spreadsheets")[1]
    documented = documented.split("## A complete example")[0]
    for column in SURVEY_COLUMNS:
        assert f"`{column}`" in documented, column
