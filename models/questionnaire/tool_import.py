"""Importing a tool (a spreadsheet or YAML) into the partnership's tools folder, for launches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from models.errors import ConfigurationError, ConflictError
from models.questionnaire import Tool
from models.questionnaire.base import Problems
from models.questionnaire.catalog import BUILTIN_DIR, catalog
from models.questionnaire.conditions import vocabulary_problems
from models.questionnaire.spreadsheet import Check, is_spreadsheet, read_tool_file
from models.questionnaire.spreadsheet_writer import text_writer, tool_yaml, write_atomically
from models.settings import Settings


@dataclass(frozen=True)
class StoredTool:
    """A tool stored in a tools folder."""

    tool: Tool
    path: Path
    replaced: bool


def tools_folder(given: Path | None, configured: Sequence[Path]) -> Path:
    """The folder imports go to: the one given, else the first of JOINTAUDIT_TOOL_DIRS."""
    if given is not None:
        return given
    if configured:
        return Path(configured[0])
    raise ConfigurationError(
        "no folder for the partnership's tools: pass --tools-dir FOLDER, or set "
        "JOINTAUDIT_TOOL_DIRS so that launches find the tools imported there"
    )


def _partnership_rules(settings: Settings) -> Check:
    builtins = {path.stem for path in BUILTIN_DIR.glob("*.yaml")}

    def check(tool: Tool) -> Problems:
        if tool.name in builtins:
            yield (
                ("name",),
                f"{tool.name!r} is a built-in tool: give your copy a new name, "
                f"such as {tool.name}-local",
            )
        yield from vocabulary_problems(
            tool.sections, categories=settings.case_categories, flags=settings.case_flags
        )

    return check


def import_tool(source: Path, *, folder: Path, settings: Settings, replace: bool) -> StoredTool:
    """Validate a tool file and store it as NAME.yaml; nothing is written unless it is valid."""
    tool = read_tool_file(source, check=_partnership_rules(settings))
    target = folder / f"{tool.name}.yaml"
    others = [Path(d) for d in settings.tool_dirs if Path(d).resolve() != folder.resolve()]
    for entry in catalog([d for d in others if d.is_dir()]):
        if entry.name == tool.name and not entry.builtin:
            raise ConflictError(
                f"a tool named {tool.name!r} already comes from {entry.source}: "
                "rename the tool or remove that file"
            )
    replaced = target.exists()
    if replaced and not replace:
        raise ConflictError(
            f"{target} already holds a tool named {tool.name!r}: pass --replace to replace it "
            "(rounds already launched keep the version they were launched with)"
        )
    text = tool_yaml(tool) if is_spreadsheet(source) else source.read_text(encoding="utf-8")
    write_atomically(target, text_writer(text))
    return StoredTool(tool=tool, path=target, replaced=replaced)
