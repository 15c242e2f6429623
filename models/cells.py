"""Spreadsheet cells: one guard for every CSV or XLSX text a person may open in Excel."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not run as a formula and XML will accept."""
    text = _CONTROL.sub("", value)
    if text[:1] in FORMULA_STARTS and not _NUMBER.match(text):
        return GUARD + text
    return text


def unguarded(value: str) -> str:
    """A cell as written before `safe_cell` guarded it (for files we read back, such as tools)."""
    if value[:1] == GUARD and value[1:2] in FORMULA_STARTS and not _NUMBER.match(value[1:]):
        return value[1:]
    return value
