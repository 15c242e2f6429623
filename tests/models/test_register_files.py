from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from flows.register.files import read_records
from flows.register.reader import read_register
from models.errors import ImportFileError
from tests.builders import REGISTER_TODAY as TODAY
from tests.builders import REGISTER_VOCAB as VOCAB

CSV_PIECES = st.sampled_from(["a", "B", ",", "\n", "\r\n", " ", "\t", "é", ";", "", "  ,"])


def csv_module_records(text: str) -> tuple[list[str] | None, list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows, starts, end = next(reader, None), [], [], reader.line_num
    for record in reader:
        if "".join(record).strip():
            rows.append(record)
            starts.append(end + 1)
        end = reader.line_num
    return header, rows, starts


@given(st.lists(CSV_PIECES, max_size=40).map("".join))
def test_a_register_without_quotes_is_read_exactly_as_the_csv_module_reads_it(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    path.write_bytes(text.encode())
    records = read_records(path, source="r.csv")
    assert (records.header, records.rows, records.starts) == csv_module_records(text)
    assert records.ends == records.starts


SHEET = "xl/worksheets/sheet1.xml"


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def with_sheet_xml(path: Path, change: Callable[[str], str]) -> Path:
    """Rewrite the first sheet's XML (what Excel would have saved differently)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[SHEET] = change(members[SHEET].decode()).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        read_records(path, source=path.name)
    return [str(p) for p in caught.value.problems]


def test_a_formula_without_its_value_is_refused_naming_its_cell(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "r.xlsx",
        [["case_ref", "category", "gender"], ["DA-1", "CIN", "=A1"], ["DA-2", "=B2", "female"]],
    )
    with pytest.raises(ImportFileError) as caught:
        read_register(path, vocab=VOCAB, today=TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "line 2, column C: a formula, not a value: save the file with values or export as CSV",
        "line 3, column B: a formula, not a value: save the file with values or export as CSV",
    ]


def test_a_formula_saved_with_its_value_is_read_as_that_value(tmp_path: Path) -> None:
    path = workbook(tmp_path / "r.xlsx", [["case_ref", "category"], ["DA-1", "=LEFT(A1)"]])
    with_sheet_xml(
        path,
        lambda xml: xml.replace(
            '<c r="B2"><f>LEFT(A1)</f><v></v></c>',
            '<c r="B2" t="str"><f>LEFT(A1)</f><v>CIN</v></c>',
        ),
    )
    [row] = read_register(path, vocab=VOCAB, today=TODAY)
    assert (row.case_ref, row.category) == ("DA-1", "CIN")


def test_a_damaged_workbook_gives_a_plain_error_not_a_parser_traceback(tmp_path: Path) -> None:
    path = workbook(tmp_path / "r.xlsx", [["case_ref"], ["DA-1"]])
    path.write_bytes(path.read_bytes()[:900])
    assert problems_of(path) == [
        "file: is not a readable XLSX workbook: open it in Excel and save it again, or export "
        "it as CSV"
    ]


def test_a_damaged_sheet_is_located_at_the_row_where_reading_stopped(tmp_path: Path) -> None:
    path = workbook(tmp_path / "r.xlsx", [["case_ref"], ["DA-1"], ["DA-2"], ["DA-3"]])
    with_sheet_xml(path, lambda xml: xml.replace('<row r="3">', '<row r="3"><c r="A3"><v>', 1))
    assert problems_of(path) == [
        "line 3: the worksheet is damaged from here on: open it in Excel and save it again, or "
        "export it as CSV"
    ]
