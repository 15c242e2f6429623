"""A refused register's problems as (line, column, rule): what pages, the API and the flow show.

A rule keeps no quoted text (a cell's value may be quoted) and no hint to run a command.
"""

from __future__ import annotations

import re

from models.errors import ImportFileError

CLI_HINT = re.compile(r"[:;,]? *(run |see )?`jointaudit [^`]*`.*$")
QUOTED = re.compile(r"""\s*\(?'[^']*'\)?|\s*\(?"[^"]*"\)?|\s*\(JOINTAUDIT_[A-Z_]+\)""")
WHERE = re.compile(r"^line (\d+)(?:, column (.+))?$")


def problem_rows(error: ImportFileError) -> list[tuple[str, str, str]]:
    """Each problem as (line, column, rule); a quoted cell value is left out."""
    rows = []
    for problem in error.problems:
        found = WHERE.match(problem.where)
        line, column = (found.group(1), found.group(2) or "") if found else ("", problem.where)
        rule = CLI_HINT.sub("", QUOTED.sub("", problem.message)).strip()
        rows.append((line, column, rule[:1].upper() + rule[1:]))
    return rows


def refusal_message(count: int) -> str:
    """What to tell whoever sent a refused file."""
    noun, them = ("problem", "it") if count == 1 else ("problems", "them")
    return (
        f"The file has {count} {noun}: nothing was imported. "
        f"Correct {them} and upload the file again"
    )
