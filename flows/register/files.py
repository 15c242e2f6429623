"""Reading a register file's records: CSV (UTF-8) or the first sheet of an XLSX workbook.

A file over the size limit, a damaged one, or a formula without its value is a located, plain
problem; no parser's message or traceback gets out (they may quote the file).
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from models.errors import ImportFileError, Problem

MB = 1024 * 1024
UNPACKED_PER_PACKED = 10  # how much larger than the file limit an XLSX may unpack to
CELL_PROBLEMS_KEPT = 1_000
FORMULA = "a formula, not a value: save the file with values or export as CSV"
RESAVE = "open it in Excel and save it again, or export it as CSV"


@dataclass
class Records:
    """A register file's rows as text: the header, then every row that is not blank."""

    header: list[str] | None
    rows: list[list[str]]
    starts: list[int]  # the line each row starts on
    ends: list[int]  # the line each row ends on (a quoted cell may span lines)
    sha256: str
    cell_problems: list[tuple[int, int, str]] = field(default_factory=list)  # line, column
    cell_problems_omitted: int = 0


def _refuse(source: str, where: str, message: str) -> ImportFileError:
    return ImportFileError(source, [Problem(where, message)])


def read_records(path: Path, *, source: str, max_mb: int | None = None) -> Records:
    """The file's records, or ImportFileError (not found, too large, not CSV or XLSX, damaged)."""
    if not path.is_file():
        raise _refuse(source, "file", "not found")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        raise _refuse(source, "file", "expected a .csv or .xlsx file")
    size = path.stat().st_size
    if max_mb is not None and size > max_mb * MB:
        raise _refuse(
            source,
            "file",
            f"is {size / MB:,.1f} MB, more than the {max_mb} MB a register may be: "
            "set JOINTAUDIT_REGISTER_MAX_MB to allow larger files",
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".xlsx":
        return _xlsx_records(data, source=source, sha256=digest, max_mb=max_mb)
    return _csv_records(data, source=source, sha256=digest)


def _csv_reason(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f'a cell is longer than {csv.field_size_limit():,} characters: a quote (") '
            "without its closing quote joins the lines after it into one cell"
        )
    if "NUL" in str(error):
        return "contains a NUL character: save the file as CSV (UTF-8) again"
    return 'cannot be read as CSV: check the quotes (") on this line'


def _unquoted_records(text: str, *, sha256: str) -> Records:
    """What csv.reader reads from text without quotes, NULs or lone carriage returns (each
    line one record), split at twice its speed."""
    lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n")
    if lines[-1] == "":
        lines.pop()
    records = [line.split(",") if line else [] for line in lines]
    kept = [(n, r) for n, r in enumerate(records[1:], start=2) if "".join(r).strip()]
    starts = [n for n, _ in kept]
    return Records(records[0] if records else None, [r for _, r in kept], starts, starts, sha256)


def _csv_records(data: bytes, *, source: str, sha256: str) -> Records:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(source, "file", "is not UTF-8 text: save the CSV as UTF-8") from None
    if '"' not in text and "\x00" not in text and text.count("\r") == text.count("\r\n"):
        return _unquoted_records(text, sha256=sha256)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    end = 0
    try:
        header = next(reader, None)
        end = reader.line_num
        for record in reader:
            if "".join(record).strip():
                rows.append(record)
                starts.append(end + 1)
                ends.append(reader.line_num)
            end = reader.line_num
    except csv.Error as error:
        raise _refuse(source, f"line {end + 1}", _csv_reason(error)) from None
    return Records(header=header, rows=rows, starts=starts, ends=ends, sha256=sha256)


def _is_formula(written: Any) -> bool:
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    return (isinstance(written, str) and written.startswith("=")) or isinstance(
        written, ArrayFormula | DataTableFormula
    )


def _xlsx_records(data: bytes, *, source: str, sha256: str, max_mb: int | None) -> Records:
    import zipfile

    from openpyxl import load_workbook  # imported here: slow, and only XLSX needs it

    damaged = _refuse(source, "file", f"is not a readable XLSX workbook: {RESAVE}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise damaged from None
    if max_mb is not None and unpacked > UNPACKED_PER_PACKED * max_mb * MB:
        raise _refuse(
            source,
            "file",
            f"unpacks to more than {UNPACKED_PER_PACKED * max_mb} MB: export it as CSV, or "
            "set JOINTAUDIT_REGISTER_MAX_MB to allow larger files",
        )
    with warnings.catch_warnings():
        # openpyxl warns about styles and bad dates, quoting cells; a bad date is then "#VALUE!".
        warnings.simplefilter("ignore")
        try:
            cached = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            written = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:  # openpyxl raises many unrelated types for a damaged file
            raise damaged from None
        try:
            return _sheet_records(cached, written, source=source, sha256=sha256)
        finally:
            cached.close()
            written.close()


def _sheet_records(cached: Any, written: Any, *, source: str, sha256: str) -> Records:
    """The first sheet's rows, read twice in step: values, and whether a blank is a formula."""
    records = Records(header=None, rows=[], starts=[], ends=[], sha256=sha256)
    line = 0
    try:
        pairs = zip(
            cached.worksheets[0].iter_rows(values_only=True),
            written.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
        for line, (values, formulas) in enumerate(pairs, start=1):
            cells = []
            for index, (value, formula) in enumerate(zip(values, formulas, strict=False)):
                if value is None:
                    if _is_formula(formula):
                        if len(records.cell_problems) < CELL_PROBLEMS_KEPT:
                            records.cell_problems.append((line, index, FORMULA))
                        else:
                            records.cell_problems_omitted += 1
                    cells.append("")
                elif isinstance(value, datetime):
                    cells.append(value.date().isoformat())
                else:
                    cells.append(str(value))
            if line == 1:
                records.header = cells
            elif "".join(cells).strip():
                records.rows.append(cells)
                records.starts.append(line)
                records.ends.append(line)
    except Exception:  # a damaged sheet: ParseError, BadZipFile, zlib.error, ValueError...
        where = f"line {line + 1}"
        raise _refuse(source, where, f"the worksheet is damaged from here on: {RESAVE}") from None
    return records
