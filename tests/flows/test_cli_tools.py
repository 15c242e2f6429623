"""`jointaudit tools`: list, show, validate and preview from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
import typer
import yaml
from typer.testing import CliRunner

from flows.cli import main
from flows.cli.tools import tools_app
from models.errors import ConfigurationError, ConflictError, ImportFileError, NotFoundError
from models.questionnaire.catalog import BUILTIN_DIR, catalog, load_tool
from tests.builders import tool_sheet_rows, write_workbook

app = typer.Typer()
app.add_typer(tools_app, name="tools")


@app.callback()
def _root() -> None:
    """A root like `jointaudit`, so that commands are invoked as `tools ...`."""


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(app, ["tools", *args])


def bad_tool(tmp_path: Path) -> Path:
    """The s47 tool with a roll-up on an own-practice question and a misspelt type."""
    data = yaml.safe_load((BUILTIN_DIR / "s47-strategy.yaml").read_text(encoding="utf-8"))
    questions = data["sections"][1]["questions"]
    questions[0]["type"] = "yes_no"
    next(q for q in questions if q["id"] == "own_info_shared")["rollup"] = "all"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def partnership_copy(folder: Path, name: str) -> Path:
    """The domestic abuse tool's file, copied under a new name."""
    text = (BUILTIN_DIR / "domestic-abuse.yaml").read_text(encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(text.replace("name: domestic-abuse", f"name: {name}"), encoding="utf-8")
    return path


def test_tools_list_json_gives_each_tool_name_and_version() -> None:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["name"], r["version"]) for r in rows] == [
        (name, load_tool(name).version) for name in ("domestic-abuse", "neglect", "s47-strategy")
    ]
    assert all(r["source"] == "built-in" for r in rows)


def test_tools_list_shows_a_table_including_partnership_tools(tmp_path: Path) -> None:
    partnership_copy(tmp_path, "da-2025")
    result = run("list", "--tools-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    for name in ("domestic-abuse", "s47-strategy", "da-2025"):
        assert name in result.output


def test_tools_show_prints_sections_and_questions() -> None:
    result = run("show", "s47-strategy")
    assert result.exit_code == 0, result.output
    for expected in ("The strategy discussion", "hours_to_strategy", "multi_choice", "shared"):
        assert expected in result.output
    assert load_tool("s47-strategy").version in result.output


def test_tools_show_json_gives_the_canonical_definition() -> None:
    result = run("show", "domestic-abuse", "--json")
    data = json.loads(result.output)
    tool = load_tool("domestic-abuse")
    assert (data["name"], data["version"], data["source"]) == (tool.name, tool.version, "built-in")
    assert data["definition"]["sections"][1]["questions"][0]["id"] == "info_sharing"


def test_tools_show_reads_a_tool_file_given_by_path() -> None:
    result = run("show", str(BUILTIN_DIR / "s47-strategy.yaml"), "--json")
    assert json.loads(result.output)["name"] == "s47-strategy"


def test_tools_show_of_an_unknown_tool_raises_not_found() -> None:
    result = run("show", "exploitation")
    assert isinstance(result.exception, NotFoundError)
    assert "known tools: domestic-abuse, neglect, s47-strategy" in str(result.exception)


def test_tools_validate_json_gives_name_and_version_of_a_valid_file() -> None:
    result = run("validate", str(BUILTIN_DIR / "domestic-abuse.yaml"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "valid": True,
        "name": "domestic-abuse",
        "version": load_tool("domestic-abuse").version,
    }


def test_tools_validate_confirms_a_valid_file_for_people() -> None:
    result = run("validate", str(BUILTIN_DIR / "s47-strategy.yaml"))
    assert result.exit_code == 0
    assert "is valid: tool s47-strategy version" in result.output


def test_tools_validate_json_lists_every_error_with_its_yaml_path(tmp_path: Path) -> None:
    result = run("validate", str(bad_tool(tmp_path)), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["valid"] is False
    wheres = [error["where"].split(", ")[-1] for error in data["errors"]]
    assert wheres == ["sections[1].questions[0].type", "sections[1].questions[7].rollup"]
    assert data["errors"][0]["where"].startswith("line ")
    assert "unknown question type 'yes_no'" in data["errors"][0]["message"]


def test_tools_validate_without_json_raises_the_located_problems(tmp_path: Path) -> None:
    result = run("validate", str(bad_tool(tmp_path)))
    assert isinstance(result.exception, ImportFileError)
    assert len(result.exception.problems) == 2


def test_tools_validate_json_reports_a_missing_file(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "none.yaml"), "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"] == [{"where": "file", "message": "not found"}]


def test_tools_preview_writes_the_questionnaire_as_html(tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    result = run("preview", "s47-strategy", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'name="q__attendance"' in html
    assert "How this question is scored" in html


def test_tools_preview_can_hide_scoring_and_show_one_agency(tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    result = run(
        "preview", "domestic-abuse", "--out", str(out), "--no-scoring", "--agency", "police"
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "How this question is scored" not in html
    assert "agency police sees it" in html


def test_every_tools_command_and_option_has_help_text() -> None:
    group = typer.main.get_command(tools_app)
    commands = group.commands
    assert set(commands) == {"list", "show", "validate", "preview", "import", "export"}
    for command in commands.values():
        assert command.help
        for parameter in command.params:
            assert getattr(parameter, "help", None), (command.name, parameter.name)


def test_the_jointaudit_cli_has_the_tools_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tools", "list", "--json"]) == 0
    assert {row["name"] for row in json.loads(capsys.readouterr().out)} == {
        "domestic-abuse",
        "neglect",
        "s47-strategy",
    }
    assert main(["tools", "validate", str(bad_tool(tmp_path))]) == 1
    assert "sections[1].questions[7].rollup" in capsys.readouterr().err


def test_tools_import_stores_a_workbook_as_yaml_where_launches_find_it(tmp_path: Path) -> None:
    rows = tool_sheet_rows()
    rows["settings"][1][0] = "s47-local"
    workbook = write_workbook(tmp_path / "s47-local.xlsx", rows)
    folder = tmp_path / "tools"
    result = run("import", str(workbook), "--tools-dir", str(folder), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    stored = load_tool("s47-local", [folder])
    assert data == {
        "imported": True,
        "name": "s47-local",
        "version": stored.version,
        "path": str(folder / "s47-local.yaml"),
    }
    assert stored.version != load_tool("s47-strategy").version  # the name is part of the meaning
    again = run("import", str(workbook), "--tools-dir", str(folder))
    assert isinstance(again.exception, ConflictError)
    assert "pass --replace" in str(again.exception)
    replaced = run("import", str(workbook), "--tools-dir", str(folder), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "stored tool s47-local version" in replaced.output
    assert "(replaced the earlier file)" in replaced.output


def test_tools_import_refuses_a_built_in_name_at_its_cell_and_writes_nothing(
    tmp_path: Path,
) -> None:
    workbook = write_workbook(tmp_path / "copy.xlsx", tool_sheet_rows())
    folder = tmp_path / "tools"
    result = run("import", str(workbook), "--tools-dir", str(folder), "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"] == [
        {
            "where": "settings row 2, column name",
            "message": "'s47-strategy' is a built-in tool: give your copy a new name, "
            "such as s47-strategy-local",
        }
    ]
    assert not folder.exists()


def test_tools_import_refuses_conditions_on_flags_the_register_does_not_use(
    tmp_path: Path,
) -> None:
    rows = tool_sheet_rows()
    rows["settings"][1][0] = "s47-local"
    header = rows["survey"][0]
    held = next(row for row in rows["survey"] if row[1] == "held_in_time")
    held[header.index("applies_when")] = "flags: neglcet; category: CP"
    workbook = write_workbook(tmp_path / "s47-local.xlsx", rows)
    result = run("import", str(workbook), "--tools-dir", str(tmp_path / "tools"))
    assert isinstance(result.exception, ImportFileError)
    [problem] = result.exception.problems
    assert problem.where == "survey row 9, column applies_when"
    assert problem.message.startswith("unknown case flag 'neglcet'; the register uses ")


def test_tools_import_reads_a_folder_of_csv_sheets_and_a_yaml_file(tmp_path: Path) -> None:
    folder = tmp_path / "tools"
    exported = run("export", "s47-strategy", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert exported.exit_code == 0, exported.output
    settings = tmp_path / "csv" / "settings.csv"
    settings.write_text(
        settings.read_text(encoding="utf-8-sig").replace("s47-strategy,", "s47-csv,", 1),
        encoding="utf-8-sig",
    )
    assert run("import", str(tmp_path / "csv"), "--tools-dir", str(folder)).exit_code == 0
    yaml_file = partnership_copy(tmp_path, "da-local")
    assert run("import", str(yaml_file), "--tools-dir", str(folder)).exit_code == 0
    # A YAML file is stored as written, comments and all.
    assert (folder / "da-local.yaml").read_text(encoding="utf-8") == yaml_file.read_text(
        encoding="utf-8"
    )
    assert {e.name for e in catalog([folder]) if not e.builtin} == {"s47-csv", "da-local"}


def test_tools_import_without_a_tools_folder_says_how_to_name_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOINTAUDIT_TOOL_DIRS", raising=False)
    result = run("import", str(partnership_copy(tmp_path, "da-local")))
    assert isinstance(result.exception, ConfigurationError)
    assert "pass --tools-dir FOLDER, or set JOINTAUDIT_TOOL_DIRS" in str(result.exception)


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml"])
def test_tools_export_writes_a_file_that_reads_back_to_the_same_version(
    tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"da{suffix}"
    result = run("export", "domestic-abuse", "--out", str(out))
    assert result.exit_code == 0, result.output
    version = load_tool("domestic-abuse").version
    assert f"wrote domestic-abuse version {version} as {suffix[1:]}" in result.output
    checked = run("validate", str(out), "--json")
    assert json.loads(checked.output)["version"] == version


def test_tools_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = run("export", "domestic-abuse", "--format", "docx", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "use xlsx, csv or yaml" in result.output
    assert not (tmp_path / "x").exists()


def test_tools_show_and_preview_read_a_workbook_given_by_path(tmp_path: Path) -> None:
    workbook = write_workbook(tmp_path / "tool.xlsx", tool_sheet_rows())
    shown = run("show", str(workbook), "--json")
    assert json.loads(shown.output)["version"] == load_tool("s47-strategy").version
    out = tmp_path / "preview.html"
    assert run("preview", str(workbook), "--out", str(out)).exit_code == 0
    assert 'name="q__attendance"' in out.read_text(encoding="utf-8")


def test_tools_commands_find_the_partnerships_tools_through_the_setting_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.settings import get_settings
    from tests.builders import write_yaml

    folder = tmp_path / "ours"
    folder.mkdir()
    data = load_tool("domestic-abuse").model_dump(mode="json", exclude_none=True)
    write_yaml(folder / "our-da.yaml", {**data, "name": "our-da"})
    monkeypatch.setenv("JOINTAUDIT_TOOL_DIRS", f'["{folder}"]')
    get_settings.cache_clear()
    assert main(["tools", "show", "our-da"]) == 0
    assert main(["tools", "list", "--json"]) == 0
