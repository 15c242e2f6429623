"""`jointaudit tools`: list, show, validate, preview, import and export audit tools."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer
from rich.markup import escape
from rich.table import Table

from agencies.portal.tool_preview import write_preview
from flows.cli.common import JSON_HELP, console, done, print_json, print_table
from models.errors import ImportFileError
from models.questionnaire import Question, Tool, canonical_form
from models.questionnaire.catalog import find_entry, list_tools, read_entry, tool_folders
from models.questionnaire.spreadsheet import is_csv_folder, read_tool_file
from models.questionnaire.spreadsheet_writer import Format, write_tool
from models.questionnaire.tool_import import import_tool, tools_folder
from models.settings import get_settings

tools_app = typer.Typer(
    help="Audit tools: the typed, versioned questionnaires agencies answer.",
    no_args_is_help=True,
)

TOOLS_DIR_HELP = "A folder of the partnership's own tools (*.yaml), besides the built-in ones."
NAME_HELP = (
    "A tool's name (see `jointaudit tools list`), or the path of a tool file "
    "(YAML, XLSX, or a folder of CSV sheets)."
)


TOOLS_DIR_OPTION = typer.Option(
    [], "--tools-dir", help=TOOLS_DIR_HELP, exists=True, file_okay=False, dir_okay=True
)


def _load(name: str, tools_dir: list[Path]) -> tuple[Tool, str]:
    """The tool named, or read from a file; with where it came from."""
    if name.endswith((".yaml", ".yml", ".xlsx")) or "/" in name or is_csv_folder(name):
        return read_tool_file(name), name
    entry = find_entry(name, tool_folders(tools_dir, get_settings().tool_dirs))
    return read_entry(entry), entry.source


def _summary(question: Question) -> str:
    if question.shared:
        parts = [f"shared ({question.rollup.value})" if question.rollup else "shared"]
    else:
        parts = ["own practice" if question.standard is not None else "per agency"]
    parts.append("scored" if question.standard is not None else "not scored")
    if question.action_rule is not None:
        parts.append(f"action below {question.action_rule.threshold_percent}%")
    if question.applies_to:
        parts.append("only " + ", ".join(question.applies_to))
    return "; ".join(parts)


@tools_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    tools_dir: list[Path] = TOOLS_DIR_OPTION,
) -> None:
    """List the audit tools, with their versions."""
    rows = [
        {
            "name": tool.name,
            "version": tool.version,
            "title": tool.title,
            "questions": sum(1 for _ in tool.questions()),
            "source": entry.source,
        }
        for entry, tool in list_tools(tool_folders(tools_dir, get_settings().tool_dirs))
    ]
    if as_json:
        print_json(rows)
        return
    columns = ["name", "version", "title", "questions", "source"]
    print_table("Audit tools", columns, ([row[c] for c in columns] for row in rows))


@tools_app.command("show")
def show_command(
    name: str = typer.Argument(..., help=NAME_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    tools_dir: list[Path] = TOOLS_DIR_OPTION,
) -> None:
    """Show a tool's sections and questions."""
    tool, source = _load(name, tools_dir)
    if as_json:
        print_json(
            {
                "name": tool.name,
                "version": tool.version,
                "title": tool.title,
                "source": source,
                "definition": canonical_form(tool),
            }
        )
        return
    console.print(f"[bold]{escape(tool.title)}[/bold]  {tool.name} version {tool.version}")
    if tool.working_together:
        console.print(f"Working Together: {escape(tool.working_together)}")
    number = 0
    for section in tool.sections:
        table = Table(title=section.title, title_justify="left", header_style="bold")
        for column in ("#", "id", "type"):
            table.add_column(column, no_wrap=True)
        table.add_column("question")
        table.add_column("scoring")
        for question in section.questions:
            number += 1
            text = question.text + ("" if question.required else " (optional)")
            row = (str(number), question.id, question.type, text, _summary(question))
            table.add_row(*(escape(cell) for cell in row))
        console.print(table)


def _invalid(file: Path, error: ImportFileError) -> typer.Exit:
    errors = [{"where": p.where, "message": p.message} for p in error.problems]
    print_json({"valid": False, "file": str(file), "errors": errors})
    return typer.Exit(1)


@tools_app.command("validate")
def validate_command(
    file: Path = typer.Argument(..., help="The tool file to check: YAML, XLSX or a CSV folder."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check a tool file: print its name and version, or every problem with where it is."""
    try:
        tool = read_tool_file(file)
    except ImportFileError as error:
        if not as_json:
            raise
        raise _invalid(file, error) from None
    if as_json:
        print_json({"valid": True, "name": tool.name, "version": tool.version})
    else:
        done(f"{file} is valid: tool {tool.name} version {tool.version}")


@tools_app.command("preview")
def preview_command(
    name: str = typer.Argument(..., help=NAME_HELP),
    out: Path = typer.Option(..., "--out", help="The HTML file to write.", dir_okay=False),
    agency: str | None = typer.Option(
        None, "--agency", help="Show only the questions this agency code is asked."
    ),
    scoring: bool = typer.Option(
        True, "--scoring/--no-scoring", help="Show, under each question, how it is scored."
    ),
    tools_dir: list[Path] = TOOLS_DIR_OPTION,
) -> None:
    """Write the questionnaire, as an agency lead will see it, to one HTML file."""
    tool, _ = _load(name, tools_dir)
    write_preview(tool, out, agency=agency, show_scoring=scoring)
    done(f"wrote the preview of {tool.name} version {tool.version} to {out}")


@tools_app.command("import")
def import_command(
    file: Path = typer.Argument(
        ..., help="The tool: an XLSX workbook, a folder of CSV sheets, or a YAML file."
    ),
    tools_dir: Path | None = typer.Option(
        None,
        "--tools-dir",
        help="The partnership's tools folder to store it in (default: JOINTAUDIT_TOOL_DIRS).",
        file_okay=False,
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Replace the partnership's tool of the same name."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Validate a tool and store it as NAME.yaml in the partnership's tools folder."""
    settings = get_settings()
    folder = tools_folder(tools_dir, settings.tool_dirs)
    try:
        stored = import_tool(file, folder=folder, settings=settings, replace=replace)
    except ImportFileError as error:
        if not as_json:
            raise
        raise _invalid(file, error) from None
    tool = stored.tool
    if as_json:
        print_json(
            {"imported": True, "name": tool.name, "version": tool.version, "path": stored.path}
        )
        return
    count = sum(1 for _ in tool.questions())
    done(
        f"stored tool {tool.name} version {tool.version} ({count} questions) in {stored.path}"
        + (" (replaced the earlier file)" if stored.replaced else "")
    )


@tools_app.command("export")
def export_command(
    name: str = typer.Argument(..., help=NAME_HELP),
    out: Path = typer.Option(..., "--out", help="The file (or, for csv, the folder) to write."),
    fmt: str | None = typer.Option(
        None,
        "--format",
        help="xlsx, csv (a folder of three sheets) or yaml; by default from --out's suffix.",
    ),
    tools_dir: list[Path] = TOOLS_DIR_OPTION,
) -> None:
    """Write a tool as a spreadsheet or as YAML, to edit and import again."""
    tool, _ = _load(name, tools_dir)
    chosen = fmt or {".xlsx": "xlsx", ".yaml": "yaml", ".yml": "yaml"}.get(out.suffix, "csv")
    if chosen not in ("xlsx", "csv", "yaml"):
        raise typer.BadParameter(f"{chosen!r}: use xlsx, csv or yaml", param_hint="--format")
    write_tool(tool, out, cast(Format, chosen))
    done(f"wrote {tool.name} version {tool.version} as {chosen} to {out}")
