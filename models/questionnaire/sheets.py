"""Reading the sheets of a tool spreadsheet (an XLSX workbook or a folder of CSV files).

Every cell becomes trimmed text, keyed by its column's name and kept with its row number as
a spreadsheet program shows it, so that later problems can say "survey row 14, column met".
Inputs are bounded: a file over the size cap, or a workbook that expands beyond it, is refused.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.cells import unguarded
from models.errors import ImportFileError, Problem

SHEET_NAMES = ("survey", "choices", "settings")
MAX_FILE_BYTES = 2_000_000
MAX_EXPANDED_BYTES = 40_000_000
MAX_ROWS = 3000
MAX_COLUMNS = 60
FORMULA_ADVICE = (
    "is a formula without a saved value: type the value itself, or open the file in a "
    "spreadsheet program and save it again"
)


@dataclass
class Sheet:
    """One sheet: its column names and its non-blank rows (row number, cells by column)."""

    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def column_name(header: Any) -> str:
    """A header cell as a column name: `Action threshold` -> `action_threshold`."""
    return "_".join(cell_text(header).lower().split())


def cell_text(value: Any) -> str:
    """A cell's value as trimmed text; whole numbers lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _too_big(source: str, size: int) -> ImportFileError:
    cap = MAX_FILE_BYTES // 1_000_000
    message = f"is {size / 1_000_000:.1f} MB: a tool spreadsheet may be at most {cap} MB"
    return ImportFileError(source, [Problem("file", message)])


def _sheet(
    name: str, records: list[tuple[int, list[Any]]], formulas: set[tuple[int, int]]
) -> Sheet:
    if not records:
        return Sheet(name, [])
    number, header = records[0]
    columns = [column_name(cell) for cell in header[:MAX_COLUMNS]]
    while columns and not columns[-1]:
        columns.pop()
    sheet = Sheet(name, columns)
    for number, values in records[1:]:
        cells: dict[str, str] = {}
        for index, value in enumerate(values[: len(columns)]):
            if (number, index) in formulas and value is None:
                where = f"{name} row {number}, column {columns[index] or index + 1}"
                sheet.problems.append(Problem(where, FORMULA_ADVICE))
            text = cell_text(value)
            if text and columns[index]:
                cells[columns[index]] = text
        if cells:
            sheet.rows.append((number, cells))
    if number > MAX_ROWS:
        message = f"has more than {MAX_ROWS} rows: a tool has far fewer questions"
        sheet.problems.append(Problem(f"{name} sheet", message))
    return sheet


def read_workbook(path: Path) -> dict[str, Sheet]:
    """The tool sheets of an XLSX workbook, by lower-cased sheet name."""
    from openpyxl import load_workbook  # imported here: slow, and only XLSX needs it

    source = str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _too_big(source, size)
    damaged = ImportFileError(
        source, [Problem("file", "is not a readable XLSX workbook (damaged, or another format)")]
    )
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise damaged from None
    if expanded > MAX_EXPANDED_BYTES:
        raise _too_big(source, expanded)
    try:
        # Two reads: one sees which cells are formulas, the other their saved values.
        shapes = load_workbook(path, read_only=True, data_only=False)
        values = load_workbook(path, read_only=True, data_only=True)
        sheets = {}
        for title in values.sheetnames:
            name = title.strip().lower()
            if name not in SHEET_NAMES:
                continue
            formulas = {
                (cell.row, cell.column - 1)
                for row in shapes[title].iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS + 50)
                for cell in row
                if getattr(cell, "data_type", None) == "f"
            }
            records = [
                (number, list(row))
                for number, row in enumerate(
                    values[title].iter_rows(
                        max_col=MAX_COLUMNS, max_row=MAX_ROWS + 50, values_only=True
                    ),
                    start=1,
                )
            ]
            sheets[name] = _sheet(name, records, formulas)
        shapes.close()
        values.close()
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many unrelated types for a damaged file
        raise damaged from None
    return sheets


def read_csv_folder(folder: Path) -> dict[str, Sheet]:
    """The tool sheets of a folder holding survey.csv, choices.csv and settings.csv."""
    sheets = {}
    total = 0
    for name in SHEET_NAMES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            continue
        total += path.stat().st_size
        if total > MAX_FILE_BYTES:
            raise _too_big(str(folder), total)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(
                str(path), [Problem("file", "is not UTF-8 text: save the CSV as UTF-8")]
            ) from None
        try:
            reader = csv.reader(io.StringIO(text, newline=""))
            # A spreadsheet program shows each record as one row, even across line breaks.
            records: list[tuple[int, list[Any]]] = [
                (number, [unguarded(cell) for cell in record])
                for number, record in enumerate(itertools.islice(reader, MAX_ROWS + 50), start=1)
            ]
        except csv.Error as error:
            where = f"{name} row {reader.line_num}"
            raise ImportFileError(str(path), [Problem(where, f"CSV error: {error}")]) from None
        sheets[name] = _sheet(name, records, set())
    return sheets
