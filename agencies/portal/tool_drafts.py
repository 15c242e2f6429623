"""Drafts of the tool editor: a tool being edited, kept beside the partnership's tools folder.

A draft is always a valid tool (every edit validates the whole tool before it is kept). Saving
it goes through `import_tool`, the same checks as `jointaudit tools import`, into NAME.yaml in
the tools folder, and stores the version; until then launches and the CLI see the saved file.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.errors import ConflictError, ImportFileError, NotFoundError, Problem
from models.questionnaire import Tool, canonical_form, read_tool
from models.questionnaire.catalog import BUILTIN_DIR, catalog, read_entry
from models.questionnaire.conditions import vocabulary_problems
from models.questionnaire.located import Loc
from models.questionnaire.spreadsheet_writer import text_writer, tool_yaml, write_atomically
from models.questionnaire.tool import TOOL_NAME_PATTERN
from models.questionnaire.tool_import import StoredTool, import_tool
from models.settings import Settings
from models.yaml_source import _clean_path

DRAFTS = ".drafts"


@dataclass
class Draft:
    """A tool being edited: the tool as data, and the version it started from."""

    name: str
    data: dict[str, Any]
    base_name: str
    base_version: str
    saved_version: str | None  # the version in the tools folder when the draft began

    @property
    def tool(self) -> Tool:
        """The draft as a tool (valid by construction)."""
        return Tool.model_validate(self.data)


class ToolProblems(Exception):
    """The edited tool is not valid: each problem with its path in the tool's data."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def draft_path(folder: Path, name: str) -> Path:
    """Where the draft of a tool is kept: a hidden folder the catalogue does not read."""
    return folder / DRAFTS / f"{name}.json"


def saved_tools(settings: Settings) -> dict[str, tuple[Tool, bool]]:
    """Every catalogued tool that reads as valid, by name, with whether it is built in."""
    tools, _ = _read_catalog(settings)
    return tools


def unreadable_tools(settings: Settings) -> list[ImportFileError]:
    """The partnership's tool files that do not read as valid tools (edited by hand, say)."""
    _, problems = _read_catalog(settings)
    return problems


def _read_catalog(
    settings: Settings,
) -> tuple[dict[str, tuple[Tool, bool]], list[ImportFileError]]:
    tools: dict[str, tuple[Tool, bool]] = {}
    problems = []
    for entry in catalog([d for d in settings.tool_dirs if Path(d).is_dir()]):
        try:
            tools[entry.name] = (read_entry(entry), entry.builtin)
        except ImportFileError as error:
            problems.append(error)
    return tools, problems


def load_draft(folder: Path, name: str) -> Draft | None:
    """The draft of a tool, if one is being edited."""
    path = draft_path(folder, name)
    if not path.is_file():
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    return Draft(name=name, **stored)


def drafts(folder: Path) -> list[Draft]:
    """Every draft in the folder, by name."""
    found = sorted((folder / DRAFTS).glob("*.json")) if (folder / DRAFTS).is_dir() else []
    return [d for d in (load_draft(folder, path.stem) for path in found) if d is not None]


def keep(folder: Path, draft: Draft) -> None:
    """Write the draft (atomically)."""
    body = {
        "data": draft.data,
        "base_name": draft.base_name,
        "base_version": draft.base_version,
        "saved_version": draft.saved_version,
    }
    text = json.dumps(body, ensure_ascii=False, indent=1)
    write_atomically(draft_path(folder, draft.name), text_writer(text))


def discard(folder: Path, name: str) -> None:
    """Forget a draft; the saved tool is unchanged."""
    draft_path(folder, name).unlink(missing_ok=True)


def start_copy(folder: Path, settings: Settings, source: Tool, new_name: str, title: str) -> Draft:
    """A draft of a new tool copied from another, or ToolProblems if the name will not do."""
    problem = _name_problem(folder, settings, new_name)
    if problem:
        raise ToolProblems([(("name",), problem)])
    data = canonical_form(source)
    data["name"], data["title"] = new_name, title
    draft = Draft(new_name, data, source.name, source.version, None)
    checked(draft.data, settings)
    keep(folder, draft)
    return draft


def _name_problem(folder: Path, settings: Settings, name: str) -> str | None:
    if not re.fullmatch(TOOL_NAME_PATTERN, name):
        return (
            "Enter a name of 2 to 60 lower-case letters, digits or hyphens, starting with a letter"
        )
    files = (BUILTIN_DIR / f"{name}.yaml", folder / f"{name}.yaml")
    if name in saved_tools(settings) or any(path.exists() for path in files):
        return f"There is already a tool named {name}: choose another name"
    if load_draft(folder, name) is not None:
        return f"A draft named {name} is already being edited: choose another name"
    return None


def draft_of(tool: Tool) -> Draft:
    """A new draft of a saved partnership tool (kept once the first edit is made)."""
    return Draft(tool.name, canonical_form(tool), tool.name, tool.version, tool.version)


def checked(data: dict[str, Any], settings: Settings) -> Tool:
    """The data as a valid tool with the register's vocabulary, or ToolProblems."""
    try:
        tool = Tool.model_validate(data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            parts = [p for p in detail["loc"] if isinstance(p, int | str)]
            loc: Loc = tuple(_clean_path(data, parts))
            problems.append((loc, str(detail["msg"]).removeprefix("Value error, ")))
        raise ToolProblems(problems) from None
    vocabulary = list(
        vocabulary_problems(
            tool.sections, categories=settings.case_categories, flags=settings.case_flags
        )
    )
    if vocabulary:
        raise ToolProblems(vocabulary)
    return tool


def save(folder: Path, settings: Settings, draft: Draft) -> StoredTool:
    """Store the draft as NAME.yaml through `import_tool`; refuse if the file moved on meanwhile."""
    target = folder / f"{draft.name}.yaml"
    current = read_entry_version(target)
    if current != draft.saved_version:
        raise ConflictError(
            f"the tool {draft.name} was saved by someone else since this draft began "
            f"(it is now version {current}): discard the draft and start again"
        )
    with tempfile.TemporaryDirectory() as temporary:
        source = Path(temporary) / f"{draft.name}.yaml"
        source.write_text(tool_yaml(draft.tool), encoding="utf-8")
        try:
            stored = import_tool(source, folder=folder, settings=settings, replace=True)
        except ImportFileError as error:
            shown = [Problem(p.where, p.message) for p in error.problems]
            raise ImportFileError(f"{draft.name}.yaml", shown) from None
    discard(folder, draft.name)
    return stored


def read_entry_version(path: Path) -> str | None:
    """The version of the tool saved at this path, or None when there is none."""
    return read_tool(path).version if path.is_file() else None


def require_draft(folder: Path, name: str) -> Draft:
    """The draft, or NotFoundError."""
    found = load_draft(folder, name)
    if found is None:
        raise NotFoundError(f"no draft of tool {name!r}")
    return found
