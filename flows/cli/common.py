"""What every `jointaudit` command shares: consoles, JSON output, error reporting."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from models.questionnaire.catalog import tool_folders
from models.settings import get_settings

console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)

JSON_HELP = "Print JSON instead of a table."


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    """Write data as JSON on stdout (plain, no colours: it is for programs)."""
    sys.stdout.write(json.dumps(data, default=_default, indent=2, ensure_ascii=False) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a readable table on stdout."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def done(message: str) -> None:
    """Report a completed change."""
    console.print(f"[green]✓[/green] {message}")


def cli_actor() -> str:
    """Who is acting, for the audit log, when a command is run from a shell."""
    return f"cli:{getpass.getuser()}"


def use_tool_folders(given: Sequence[Path]) -> None:
    """Add --tools-dir folders to this process's JOINTAUDIT_TOOL_DIRS, where launches look."""
    folders = tool_folders(given, get_settings().tool_dirs)
    os.environ["JOINTAUDIT_TOOL_DIRS"] = json.dumps([str(f.resolve()) for f in folders])
    get_settings.cache_clear()
