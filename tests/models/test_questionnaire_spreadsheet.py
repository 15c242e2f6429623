"""Audit tools as spreadsheets: the round trip with YAML, and every problem located by cell."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from models.errors import ImportFileError, InputError
from models.questionnaire import KNOWN_QUESTION_TEXT, read_tool
from models.questionnaire import sheets as sheets_module
from models.questionnaire.catalog import catalog, list_tools, load_tool
from models.questionnaire.spreadsheet import read_spreadsheet, read_tool_file
from models.questionnaire.spreadsheet_writer import tool_sheets, write_tool
from tests.builders import tool_sheet_rows, write_workbook

SURVEY_HEADER = tool_sheet_rows()["survey"][0]


def column(name: str) -> int:
    return SURVEY_HEADER.index(name)


def row_of(rows: list[list[Any]], name: str) -> list[Any]:
    """The survey row of the question with this name."""
    return next(row for row in rows if row[column("name")] == name)


def problems(path: Path) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        read_spreadsheet(path)
    assert caught.value.source == str(path)
    return [str(problem) for problem in caught.value.problems]


def edited(tmp_path: Path, **sheets: list[list[Any]] | None) -> Path:
    """The s47 workbook with some sheets replaced (None removes a sheet)."""
    rows: dict[str, list[list[Any]]] = tool_sheet_rows()
    for name, replacement in sheets.items():
        if replacement is None:
            del rows[name]
        else:
            rows[name] = replacement
    return write_workbook(tmp_path / "tool.xlsx", rows)


@pytest.mark.parametrize("name", [entry.name for entry in catalog()])
def test_a_built_in_tool_goes_yaml_to_xlsx_to_yaml_with_the_same_version(
    tmp_path: Path, name: str
) -> None:
    tool = load_tool(name)
    workbook = write_tool(tool, tmp_path / f"{name}.xlsx", "xlsx")
    from_sheets = read_spreadsheet(workbook)
    assert from_sheets == tool
    yaml_file = write_tool(from_sheets, tmp_path / f"{name}.yaml", "yaml")
    assert read_tool(yaml_file).version == tool.version
    assert yaml_file.read_text(encoding="utf-8").startswith(f"# Audit tool {name}, version ")


def test_every_built_in_tool_reads_back_the_same_from_csv_sheets(tmp_path: Path) -> None:
    for _, tool in list_tools():
        folder = write_tool(tool, tmp_path / tool.name, "csv")
        assert sorted(p.name for p in folder.iterdir()) == [
            "choices.csv",
            "settings.csv",
            "survey.csv",
        ]
        assert read_tool_file(folder).version == tool.version


def test_column_names_follow_xlsform_and_choices_are_select_one_and_select_multiple() -> None:
    rows = tool_sheet_rows()
    for name in ("type", "name", "label", "hint", "required"):
        assert name in rows["survey"][0]
    assert rows["choices"][0][:3] == ["list_name", "name", "label"]
    assert row_of(rows["survey"], "attendance")[0] == "select_multiple attendance"
    assert row_of(rows["survey"], "s47_outcome")[0] == "select_one s47_outcome"
    assert rows["survey"][1][0] == "begin section"


def test_a_workbook_typed_by_hand_with_headers_in_words_and_xlsform_synonyms_is_read(
    tmp_path: Path,
) -> None:
    survey = [
        [
            "Type",
            "Name",
            "Label",
            "Required",
            "Met",
            "Applies when",
            "Action threshold",
            "Allow NA",
        ],
        ["begin group", "", "About this child", "", "", "", ""],
        ["yes_no_na", "known_to_agency", KNOWN_QUESTION_TEXT, "", "", "", "", "no"],
        ["end group"],
        ["begin section", "", "Plans", "", "", "category: CP, CIN", ""],
        ["yes_no_na", "plan", "Was there a plan?", "TRUE", "Yes", "age_band: under-1 1-4", "80%"],
        ["end section"],
        ["begin section", "", "Summary"],
        ["text", "good_practice", "Good practice?", "no"],
        ["text", "areas_for_development", "Areas for development?", False],
        ["text", "recommendations", "Recommendations?"],
        [],
        ["end section"],
    ]
    settings = [["form_id", "form_title"], ["by-hand", "By hand"]]
    path = write_workbook(tmp_path / "by-hand.xlsx", {"survey": survey, "settings": settings})
    with pytest.raises(ImportFileError) as caught:
        read_spreadsheet(path)
    # The action rule needs its wording: the first problem says where.
    assert [str(p) for p in caught.value.problems] == [
        "survey row 6, column action_text: missing: fill in this column",
        "survey row 6, column action_measure: missing: fill in this column",
    ]
    survey[5][6] = None
    tool = read_spreadsheet(
        write_workbook(tmp_path / "by-hand.xlsx", {"survey": survey, "settings": settings})
    )
    plan = tool.question("plan")
    assert (tool.name, tool.title, plan.standard.met) == ("by-hand", "By hand", ["yes"])
    assert tool.sections[1].applies_when is not None
    assert tool.sections[1].applies_when.category == ["CIN", "CP"]
    assert plan.applies_when is not None and plan.applies_when.age_band == ["under-1", "1-4"]
    assert tool.question("good_practice").required is False


def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    assert problems(edited(tmp_path, settings=None)) == [
        "settings sheet: missing: a tool spreadsheet has the sheets survey, choices and settings"
    ]


def test_a_missing_or_unknown_column_is_named_on_the_header_row(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    survey[0][column("label")] = "lable"
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 1, column lable: unknown column; the survey sheet has "
        + ", ".join(SURVEY_HEADER),
        "survey row 1: missing column label",
    ]


def test_an_unknown_question_type_is_named_with_the_types_there_are(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "strategy_held")[0] = "yes_no"
    [problem] = problems(edited(tmp_path, survey=survey))
    assert problem.startswith('survey row 6, column type: unknown type "yes_no": use one of')
    assert "select_one LIST" in problem and "begin section" in problem


def test_a_choice_question_naming_an_unknown_list_is_refused(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "attendance")[0] = "select_multiple attendence"
    assert problems(edited(tmp_path, survey=survey)) == [
        'survey row 10, column type: unknown list "attendence": give its choices on the '
        "choices sheet"
    ]


def test_a_bad_boolean_is_refused_at_its_cell(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "strategy_held")[column("shared")] = "usually"
    assert problems(edited(tmp_path, survey=survey)) == [
        'survey row 6, column shared: "usually" is not yes or no'
    ]


def test_a_bad_answer_in_met_names_the_scale_or_the_list(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "held_in_time")[column("met")] = "yse"
    row_of(survey, "attendance")[column("met")] = "csc police helth"
    assert problems(edited(tmp_path, survey=survey)) == [
        'survey row 9, column met: "yse" is not an answer of yes_partly_no_na',
        'survey row 10, column met: "helth" is not a choice of the list attendance',
    ]


def test_a_duplicate_name_names_the_row_it_was_first_used_on(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "info_shared")[column("name")] = "held_in_time"
    assert problems(edited(tmp_path, survey=survey)) == [
        'survey row 12, column name: duplicate name "held_in_time" (first on survey row 9)'
    ]


def test_a_duplicate_choice_is_named_on_the_choices_sheet(tmp_path: Path) -> None:
    choices = tool_sheet_rows()["choices"]
    assert choices[6][:2] == ["attendance", "other"]
    choices[6][1] = "education"
    [problem] = problems(edited(tmp_path, choices=choices))
    assert problem == "choices row 7, column name: duplicate option id 'education'"


def test_sections_must_begin_and_end_in_pairs(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    ends = [i for i, row in enumerate(survey) if row[0] == "end section"]
    del survey[ends[0]]  # the first section runs into the second
    survey.append(["end section"])
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 4, column type: sections cannot be nested: the section begun on survey "
        "row 2 needs an end section row before this one",
        "survey row 33, column type: an end section row with no begin section row above it",
    ]
    survey = tool_sheet_rows()["survey"]
    del survey[-1]
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 29, column type: this section has no end section row: add one after its "
        "last question"
    ]


def test_a_section_without_questions_and_a_survey_without_sections_are_refused(
    tmp_path: Path,
) -> None:
    survey = tool_sheet_rows()["survey"]
    survey[4:4] = [["begin section", "", "Nothing here"], ["end section"]]
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 5: this section has no questions: put them between its begin section "
        "and end section rows"
    ]
    assert problems(edited(tmp_path, survey=[SURVEY_HEADER])) == [
        "survey sheet: no sections: begin each with a begin section row"
    ]


def test_a_question_outside_a_section_is_refused(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    survey.insert(1, ["text", "notes", "Notes?"])
    [problem, *_] = problems(edited(tmp_path, survey=survey))
    assert problem == (
        "survey row 2, column type: this question is outside a section: add a begin section "
        "row above it"
    )


def test_a_rule_of_the_tool_model_is_reported_at_its_cell(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "own_info_shared")[column("rollup")] = "all"
    row_of(survey, "strategy_held")[column("unit")] = "hours"
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 6, column unit: this column does not apply to yes_no_na questions: "
        "leave it blank",
        "survey row 13, column rollup: a roll-up applies only to shared questions "
        "(shared: true); own-practice questions are counted per agency",
    ]


def test_a_formula_without_a_saved_value_is_refused(tmp_path: Path) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "strategy_held")[column("label")] = '=CONCAT("Was a ", "strategy held?")'
    assert problems(edited(tmp_path, survey=survey)) == [
        "survey row 6, column label: is a formula without a saved value: type the value "
        "itself, or open the file in a spreadsheet program and save it again"
    ]


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tool.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert problems(path) == ["file: is not a readable XLSX workbook (damaged, or another format)"]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not xml")
    assert problems(path) == ["file: is not a readable XLSX workbook (damaged, or another format)"]


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = edited(tmp_path)
    monkeypatch.setattr(sheets_module, "MAX_FILE_BYTES", 1000)
    [problem] = problems(path)
    assert problem.startswith("file: is ") and "a tool spreadsheet may be at most" in problem


def test_a_workbook_that_expands_beyond_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = edited(tmp_path)
    monkeypatch.setattr(sheets_module, "MAX_EXPANDED_BYTES", 10_000)
    [problem] = problems(path)
    assert "a tool spreadsheet may be at most" in problem


def test_a_csv_folder_reports_rows_as_a_spreadsheet_program_numbers_them(tmp_path: Path) -> None:
    tool = load_tool("s47-strategy")
    folder = write_tool(tool, tmp_path / "s47", "csv")
    survey = folder / "survey.csv"
    rows = list(csv.reader(io.StringIO(survey.read_text(encoding="utf-8-sig"), newline="")))
    rows[2][column("hint")] = "Answer No\nif your agency holds no record."  # one row, two lines
    row_of(rows, "strategy_held")[0] = "yes_no"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8-sig")
    [problem] = problems(folder)
    assert problem.startswith('survey row 6, column type: unknown type "yes_no"')


def test_a_csv_sheet_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    folder = write_tool(load_tool("s47-strategy"), tmp_path / "s47", "csv")
    (folder / "settings.csv").write_bytes("name,title\ns47,Caf\xe9".encode("latin-1"))
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_spreadsheet(folder)


def test_a_bad_workbook_changes_nothing_and_a_good_one_is_not_written_anywhere(
    tmp_path: Path,
) -> None:
    survey = tool_sheet_rows()["survey"]
    row_of(survey, "held_in_time")[column("met")] = "yse"
    path = edited(tmp_path, survey=survey)
    before = sorted(tmp_path.rglob("*"))
    problems(path)
    assert sorted(tmp_path.rglob("*")) == before


def test_the_sheets_of_a_tool_are_survey_choices_and_settings_in_that_order() -> None:
    assert list(tool_sheets(load_tool("domestic-abuse"))) == ["survey", "choices", "settings"]


def test_a_tool_text_that_looks_like_a_formula_is_written_to_xlsx_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from models.questionnaire import Tool

    data = load_tool("domestic-abuse").model_dump(mode="json", exclude_none=True)
    title = '=HYPERLINK("http://example.org","open")'
    written = write_tool(Tool.model_validate({**data, "title": title}), tmp_path / "t.xlsx", "xlsx")
    cells = [c for sheet in load_workbook(written) for row in sheet.iter_rows() for c in row]
    assert [c.data_type for c in cells if c.value == title] == ["s"]
    assert read_spreadsheet(written).title == title


def test_a_tool_text_that_looks_like_a_formula_is_guarded_in_csv_and_read_back_unchanged(
    tmp_path: Path,
) -> None:
    from models.questionnaire import Tool

    data = load_tool("domestic-abuse").model_dump(mode="json", exclude_none=True)
    title = '=HYPERLINK("http://example.org","open")'
    tool = Tool.model_validate({**data, "title": title, "description": "-1 is not a number here"})
    folder = write_tool(tool, tmp_path / "t", "csv")
    settings = (folder / "settings.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in settings and "'-1 is not" in settings
    assert "\n=HYPERLINK" not in settings and ",=HYPERLINK" not in settings
    back = read_spreadsheet(folder)
    assert back.title == title
    assert back.description == "-1 is not a number here"
    assert back.version == tool.version
