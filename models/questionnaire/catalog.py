"""The audit tools a partnership can launch: the built-in tools and its own tool folders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from models.errors import ImportFileError, NotFoundError, Problem
from models.questionnaire import Tool
from models.yaml_source import load_yaml

BUILTIN_DIR = Path(__file__).parent / "tools"


@dataclass(frozen=True)
class CatalogEntry:
    """A tool file: the tool's name is the file's name without `.yaml`."""

    name: str
    path: Path
    builtin: bool

    @property
    def source(self) -> str:
        """Where the tool comes from, for people: "built-in" or the file's path."""
        return "built-in" if self.builtin else str(self.path)


def catalog(extra_dirs: Sequence[Path | str] = ()) -> list[CatalogEntry]:
    """Every tool file, built-ins first; two files with the same name are an error."""
    folders = [(BUILTIN_DIR, True), *((Path(folder), False) for folder in extra_dirs)]
    entries: dict[str, CatalogEntry] = {}
    for folder, builtin in folders:
        if not folder.is_dir():
            raise NotFoundError(f"tools folder {folder} does not exist")
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in entries:
                first = entries[path.stem].source
                message = f"a tool named {path.stem!r} already comes from {first}: rename this file"
                raise ImportFileError(str(path), [Problem("file", message)])
            entries[path.stem] = CatalogEntry(name=path.stem, path=path, builtin=builtin)
    return list(entries.values())


def read_entry(entry: CatalogEntry) -> Tool:
    """Load and validate a catalogued tool, checking its name and (for built-ins) citation."""
    document = load_yaml(entry.path)
    tool = document.validate(Tool)
    problems = []
    if tool.name != entry.name:
        problems.append(document.problem(("name",), f"must match the file name: {entry.name!r}"))
    if entry.builtin and tool.working_together is None:
        problems.append(
            document.problem(("working_together",), "built-in tools must cite Working Together")
        )
    if problems:
        raise ImportFileError(document.source, problems)
    return tool


def list_tools(extra_dirs: Sequence[Path | str] = ()) -> list[tuple[CatalogEntry, Tool]]:
    """Every catalogued tool, loaded and validated."""
    return [(entry, read_entry(entry)) for entry in catalog(extra_dirs)]


def find_entry(name: str, extra_dirs: Sequence[Path | str] = ()) -> CatalogEntry:
    """The catalogue entry of a tool, or NotFoundError naming the tools there are."""
    entries = catalog(extra_dirs)
    for entry in entries:
        if entry.name == name:
            return entry
    known = ", ".join(entry.name for entry in entries)
    raise NotFoundError(f"no audit tool named {name!r}; known tools: {known}")


def load_tool(name: str, extra_dirs: Sequence[Path | str] = ()) -> Tool:
    """Load a tool by name from the built-ins and the given folders."""
    return read_entry(find_entry(name, extra_dirs))


def tool_folders(given: Sequence[Path | str], configured: Sequence[Path | str]) -> list[Path]:
    """The partnership's tool folders: those given (e.g. --tools-dir) then the configured ones
    (JOINTAUDIT_TOOL_DIRS), each once; every command and page finds tools this one way."""
    folders: list[Path] = []
    for folder in (*given, *configured):
        path = Path(folder)
        if path.resolve() not in {f.resolve() for f in folders}:
            folders.append(path)
    return folders
