"""Reading YAML files so that every validation error names its file, line and YAML path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from models.errors import ImportFileError, Problem

PathPart = str | int
MAX_NODES = 100_000
TOO_MANY = (
    "anchors and aliases (& and *) make this file more than {cap:,} values: write the values out"
)
LOOP = "an alias (*) inside the anchor (&) it refers to makes an endless file: write it out"
M = TypeVar("M", bound=BaseModel)


def format_path(parts: Sequence[PathPart]) -> str:
    """`('agencies', 3, 'lead', 'email')` -> `agencies[3].lead.email`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


@dataclass
class YamlDocument:
    """A parsed YAML document and the line where each of its nodes starts."""

    source: str
    data: Any
    lines: dict[tuple[PathPart, ...], int] = field(default_factory=dict)

    def line_of(self, parts: Sequence[PathPart]) -> int | None:
        """The line of the deepest known node on the path."""
        parts = tuple(parts)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get(())

    def problem(self, parts: Sequence[PathPart], message: str) -> Problem:
        """A problem located at a YAML path, with its line when known."""
        line = self.line_of(parts)
        where = format_path(parts)
        return Problem(where=f"line {line}, {where}" if line else where, message=message)

    def validate(self, model: type[M]) -> M:
        """Validate the document against a model, or raise every located problem."""
        try:
            return model.model_validate(self.data)
        except ValidationError as error:
            raise ImportFileError(self.source, problems_from(self, error)) from None


def problems_from(document: YamlDocument, error: ValidationError) -> list[Problem]:
    """Located problems from a pydantic error, dropping union-branch noise from the path."""
    problems = []
    for detail in error.errors(include_url=False):
        parts = [p for p in detail["loc"] if isinstance(p, int | str)]
        message = detail["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(document.problem(_clean_path(document.data, parts), message))
    return problems


def _clean_path(data: Any, parts: list[PathPart]) -> list[PathPart]:
    """Keep the path parts that exist in the data, plus a missing key at the end.

    Pydantic puts the tag of a tagged union into error paths (`questions[2].yes_no_na.standard`);
    such a part names no key of the file, so it is dropped.
    """
    cleaned: list[PathPart] = []
    node = data
    for index, part in enumerate(parts):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            cleaned.append(part)
        elif index == len(parts) - 1:
            cleaned.append(part)
    return cleaned


def _size_problem(size: int, cap: int) -> Problem:
    return Problem(
        "file",
        f"is {size:,} bytes, more than the {cap:,} allowed: split it, or raise "
        "JOINTAUDIT_MAX_YAML_BYTES",
    )


def _read(path: Path | str, cap: int) -> str:
    source = str(path)
    try:
        size = Path(path).stat().st_size
        if size > cap:
            raise ImportFileError(source, [_size_problem(size, cap)])
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFileError(source, [Problem("file", "not found")]) from None
    except UnicodeDecodeError:
        raise ImportFileError(source, [Problem("file", "is not UTF-8 text")]) from None


def _default_cap() -> int:
    from models.settings import get_settings

    return get_settings().max_yaml_bytes


def load_yaml(
    path: Path | str, *, text: str | None = None, max_bytes: int | None = None
) -> YamlDocument:
    """Parse a YAML file, keeping the line of every node; syntax errors are located.

    Bounded before anything walks the document: at most `max_bytes` (JOINTAUDIT_MAX_YAML_BYTES),
    at most MAX_NODES values once anchors and aliases are expanded (a few hundred bytes of
    aliases can stand for billions), no key twice in one mapping (YAML would keep the last).
    """
    source = str(path)
    cap = max_bytes if max_bytes is not None else _default_cap()
    if text is None:
        text = _read(path, cap)
    elif len(text.encode("utf-8")) > cap:
        raise ImportFileError(source, [_size_problem(len(text.encode("utf-8")), cap)])
    # libyaml's parser when present; one parse gives both the nodes (lines) and the data.
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            lines: dict[tuple[PathPart, ...], int] = {}
            if node is not None:
                _bounded(source, node)
                _index_lines(source, node, (), lines)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        reason = getattr(error, "problem", None) or str(error)
        raise ImportFileError(source, [Problem(where, f"YAML syntax error: {reason}")]) from None
    return YamlDocument(source=source, data=data, lines=lines)


def _bounded(source: str, node: yaml.Node, cap: int = MAX_NODES) -> None:
    """Refuse a document whose anchors and aliases expand it past `cap` values, or into a loop.

    Sizes are counted on the composed graph, each shared node once, so even a billion laughs
    costs only as much as its few hundred bytes.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(item: yaml.Node) -> int:
        key = id(item)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            line = item.start_mark.line + 1 if item.start_mark is not None else 0
            raise ImportFileError(source, [Problem(f"line {line}", LOOP)])
        open_nodes.add(key)
        total = 1
        if isinstance(item, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in item.value)
        elif isinstance(item, yaml.SequenceNode):
            total += sum(size(child) for child in item.value)
        if total > cap:
            raise ImportFileError(source, [Problem("file", TOO_MANY.format(cap=cap))])
        open_nodes.discard(key)
        sizes[key] = total
        return total

    size(node)


def _index_lines(
    source: str,
    node: yaml.Node,
    parts: tuple[PathPart, ...],
    lines: dict[tuple[PathPart, ...], int],
) -> None:
    lines[parts] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = f"line {line}, {format_path((*parts, key))}"
                message = f"this key is already given on line {seen[key]}: keep one of them"
                raise ImportFileError(source, [Problem(where, message)])
            seen[key] = line
            _index_lines(source, value_node, (*parts, key), lines)
            lines[(*parts, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(source, item, (*parts, index), lines)
