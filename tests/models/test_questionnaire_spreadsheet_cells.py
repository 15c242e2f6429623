"""Tool spreadsheets: the rest of the problems a workbook can have, each named by its sheet,
row and column (the first kinds are in test_questionnaire_spreadsheet.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from models.errors import ImportFileError
from models.questionnaire import sheets as sheets_module
from models.questionnaire.catalog import load_tool
from models.questionnaire.spreadsheet import read_spreadsheet
from models.questionnaire.spreadsheet_writer import write_tool
from tests.builders import tool_sheet_rows
from tests.models.test_questionnaire_spreadsheet import column, edited, problems, row_of


def test_a_column_written_twice_is_named_on_the_header_row(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    survey[0][column("hint")] = "Label"
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 1, column label: this column appears twice"
    ]


def test_a_number_that_is_not_one_or_not_whole_is_refused_at_its_cell(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "hours_to_strategy")[column("min_value")] = "none"
    row_of(survey, "held_in_time")[column("action_threshold")] = "85.5%"
    assert problems(edited(tmp_path, survey=survey)) == [
        'survey row 8, column min_value: "none" is not a number',
        'survey row 9, column action_threshold: "85.5%" is not a whole number',
    ]


def test_a_settings_sheet_without_its_row_is_named_once(tmp_path: Path) -> None:
    settings = tool_sheet_rows()["settings"]
    assert problems(edited(tmp_path, settings=settings[:1])) == [
        "settings row 2: missing: give the tool's name and title on row 2"
    ]


def test_a_settings_sheet_with_a_second_row_is_refused(tmp_path: Path) -> None:
    settings = tool_sheet_rows()["settings"]
    settings.append(["other-tool", "Another tool"])
    assert problems(edited(tmp_path, settings=settings)) == [
        "settings row 3: the settings sheet has one row under its header"
    ]


def test_a_blank_name_or_title_in_the_settings_is_named_by_its_column(tmp_path: Path) -> None:
    settings = tool_sheet_rows()["settings"]
    assert settings[0][:2] == ["name", "title"]
    settings[1][:2] = [None, None]
    assert problems(edited(tmp_path, settings=settings)) == [
        "settings row 2, column name: missing: fill in this column",
        "settings row 2, column title: missing: fill in this column",
    ]
    xlsform = [["form_id", "form_title"], ["by-hand", None]]
    assert problems(edited(tmp_path, settings=xlsform)) == [
        "settings row 2, column form_title: missing: fill in this column"
    ]


def test_a_choice_without_its_list_name_is_refused(tmp_path: Path) -> None:
    choices = tool_sheet_rows()["choices"]
    assert choices[6][:2] == ["attendance", "other"]
    choices[6][0] = None
    assert problems(edited(tmp_path, choices=choices)) == [
        "choices row 7, column list_name: missing list name"
    ]


def test_a_choice_type_without_its_list_and_a_row_without_a_type_are_refused(
    tmp_path: Path,
) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "own_participation")[0] = "select_one"
    row_of(survey, "strategy_date")[0] = None
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 7, column type: missing: give a question type, begin section or end section",
        'survey row 11, column type: "select_one" needs its list\'s name, e.g. '
        '"select_one outcome"',
    ]


def test_a_section_row_with_a_question_setting_is_refused_at_that_column(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    assert survey[4][:3] == ["begin section", "", "The strategy discussion"]
    survey[4][column("required")] = "yes"
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 5, column required: a begin section row has only a label, a hint and "
        "applies_when: leave this column blank"
    ]


def test_a_condition_that_cannot_be_read_is_refused_at_its_cell(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "strategy_held")[column("applies_when")] = "CP"
    row_of(survey, "held_in_time")[column("applies_when")] = "age_band: teen"
    [unreadable, band] = problems(edited(tmp_path, survey=survey))
    assert unreadable == (
        'survey row 6, column applies_when: "CP" is not a condition: write attribute: '
        'values, e.g. "category: CP; age_band: under-1, 1-4"'
    )
    assert band.startswith("survey row 9, column applies_when: Input should be 'under-1'")


def test_a_condition_on_an_unknown_attribute_names_the_attributes_there_are(
    tmp_path: Path,
) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "strategy_held")[column("applies_when")] = "colour: red"
    survey[4][column("applies_when")] = "Legal status: CP"
    assert sorted(problems(edited(tmp_path, survey=survey))) == [
        'survey row 5, column applies_when: unknown attribute "legal_status": a condition '
        "tests category, flags or age_band",
        'survey row 6, column applies_when: unknown attribute "colour": a condition tests '
        "category, flags or age_band",
    ]


def test_a_sheet_of_too_many_rows_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets_module, "MAX_ROWS", 20)
    [problem] = problems(edited(tmp_path))
    assert problem == "survey sheet: has more than 20 rows: a tool has far fewer questions"


def test_a_csv_sheet_that_csv_cannot_read_names_its_row(tmp_path: Path) -> None:
    folder = write_tool(load_tool("s47-strategy"), tmp_path / "s47", "csv")
    survey = folder / "survey.csv"
    rows = list(csv.reader(io.StringIO(survey.read_text(encoding="utf-8-sig"), newline="")))
    rows[3][column("hint")] = "x" * (csv.field_size_limit() + 1)
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8-sig")
    with pytest.raises(ImportFileError) as caught:
        read_spreadsheet(folder)
    assert caught.value.source == str(survey)
    [problem] = caught.value.problems
    assert str(problem).startswith("survey row 4: CSV error: field larger than field limit")
