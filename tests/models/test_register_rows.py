from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from flows.register.reader import read_register
from flows.register.rows import age_band_for, nhs_number_is_valid
from models.errors import ImportFileError
from tests.builders import REGISTER_TODAY as TODAY
from tests.builders import REGISTER_VOCAB as VOCAB
from tests.builders import identified_rows, with_unbalanced_quote, write_csv


def problems_of(path: Path, max_mb: int | None = None) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        read_register(path, vocab=VOCAB, today=TODAY, max_mb=max_mb)
    return [str(p) for p in caught.value.problems]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_register_is_read_with_flags_agencies_and_identity(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "case_ref,category,flags,date_of_birth,agencies,child_name,"
        "nhs_number,ref_police\n"
        "DA-1,cp,Domestic_Abuse; neglect,2020-02-29,police;CSC,Ann Example,"
        "943 476 5919,PN123\n",
    )
    [row] = read_register(path, vocab=VOCAB, today=TODAY)
    assert row.line == 2
    assert (row.case_ref, row.category, row.age_band) == ("DA-1", "CP", "5-9")
    assert row.flags == ("domestic_abuse", "neglect")
    assert row.agencies == ("police", "csc")
    assert row.identity is not None
    assert row.identity.nhs_number == "9434765919"
    assert row.identity.references == {"police": "PN123"}


def test_every_bad_row_is_reported_with_its_line_column_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "case_ref,category,flags,referral_date,agencies\n"
        "DA-1,CP,domestic_abuse,2026-01-01,police\n"
        ",CP,,2026-01-01,\n"
        "DA-3,CP,,2026-13-01,\n"
        "DA-4,CP,,,fire_service\n"
        "DA-5,CP,arson,,\n"
        "DA-1,CP,,,\n"
        "DA-7,XX,,,\n",
    )
    assert problems_of(path) == [
        "line 3, column case_ref: missing required value",
        "line 4, column referral_date: not a valid date; use YYYY-MM-DD or DD/MM/YYYY",
        "line 5, column agencies: unknown agency code: load it with "
        "`jointaudit agencies load` first",
        "line 6, column flags: unknown flag; expected some of domestic_abuse, neglect, "
        "s47 (JOINTAUDIT_CASE_FLAGS)",
        "line 7, column case_ref: duplicate case_ref (first on line 2)",
        "line 8, column category: unknown category; expected one of EH, CIN, CP, LAC "
        "(JOINTAUDIT_CASE_CATEGORIES)",
    ]


def test_errors_in_identifying_columns_never_echo_the_value(tmp_path: Path) -> None:
    path = write(tmp_path, "case_ref,date_of_birth,nhs_number\nDA-1,31/02/2019,1234567890\n")
    problems = problems_of(path)
    assert problems == [
        "line 2, column date_of_birth: not a valid date (value not shown: identifying); use "
        "YYYY-MM-DD or DD/MM/YYYY",
        "line 2, column nhs_number: not a valid NHS number (value not shown: identifying); "
        "expected 10 digits with a correct check digit",
    ]
    assert not any("31/02/2019" in p or "1234567890" in p for p in problems)


def test_a_header_with_unknown_or_missing_columns_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "ref,category,postcode,ref_fire\nDA-1,CP,N1,X\n")
    problems = problems_of(path)
    assert "line 1, column C: unknown column" in problems[1]
    assert problems[0].startswith("line 1, column A: unknown column")
    assert "line 1, column D: reference column for an unknown agency code" in problems
    assert "line 1: missing required column case_ref" in problems


def test_a_future_date_and_a_row_with_too_many_cells_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "case_ref,referral_date\nDA-1,2027-01-01\nDA-2,2026-01-01,extra\n")
    assert problems_of(path) == [
        "line 2, column referral_date: is in the future",
        "line 3, column -: 3 cells but the header has 2 columns",
    ]


def test_a_quoted_cell_spanning_lines_reports_the_line_where_its_row_starts(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, 'case_ref,gender\nDA-1,"female\nreally"\nDA-1,male\n')
    assert problems_of(path) == ["line 4, column case_ref: duplicate case_ref (first on line 2)"]


def test_empty_missing_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, "")) == ["file: is empty: expected a header row"]
    assert problems_of(tmp_path / "nope.csv") == ["file: not found"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("case_ref,gender\nDA-1,f\xe9minin\n".encode("latin-1"))
    assert problems_of(latin) == ["file: is not UTF-8 text: save the CSV as UTF-8"]
    assert problems_of(tmp_path / "register.pdf") == ["file: not found"]
    (tmp_path / "register.pdf").write_bytes(b"%PDF")
    assert problems_of(tmp_path / "register.pdf") == ["file: expected a .csv or .xlsx file"]


def test_an_excel_bom_and_uk_dates_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes("\ufeffCase Ref,Referral Date\nDA-1,03/04/2025\n".encode())
    [row] = read_register(path, vocab=VOCAB, today=TODAY)
    assert row.referral_date == date(2025, 4, 3)


def test_an_xlsx_register_is_read_like_a_csv_one(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["case_ref", "category", "referral_date", "flags"])
    sheet.append(["DA-1", "CIN", date(2026, 2, 3), "neglect"])
    sheet.append(["DA-2", "CIN", "not a date", ""])
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    assert problems_of(path) == [
        "line 3, column referral_date: not a valid date; use YYYY-MM-DD or DD/MM/YYYY"
    ]


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2026, 6, 1), "under-1"),
        (date(2025, 11, 25), "1-4"),
        (date(2021, 11, 26), "1-4"),
        (date(2021, 11, 25), "5-9"),
        (date(2010, 11, 26), "10-15"),
        (date(2009, 1, 1), "16-17"),
        (date(2008, 11, 25), "18+"),
    ],
)
def test_the_age_band_is_the_childs_age_on_the_day_of_import(born: date, band: str) -> None:
    assert age_band_for(born, TODAY) == band


def test_nhs_numbers_are_checked_with_the_modulus_11_check_digit() -> None:
    assert nhs_number_is_valid("9434765919")
    assert nhs_number_is_valid("943 476 5919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("94347659")


def test_an_unbalanced_quote_is_reported_where_it_starts_without_the_text_it_swallowed(
    tmp_path: Path,
) -> None:
    rows = identified_rows(count=40)
    path = with_unbalanced_quote(write_csv(tmp_path / "register.csv", rows), line=11)
    with pytest.raises(ImportFileError) as caught:
        read_register(path, vocab=VOCAB, today=TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "line 11, column category: unknown category; expected one of EH, CIN, CP, LAC "
        "(JOINTAUDIT_CASE_CATEGORIES)",
        'line 11: this row runs on to line 41: if that is not meant, a quote (") is missing '
        "its closing quote",
    ]
    text = str(caught.value)
    assert not [r for r in rows if r["child_name"] in text or r["nhs_number"] in text]


def test_no_problem_quotes_the_value_it_is_about_in_any_column(tmp_path: Path) -> None:
    marker, long = "Zqxv", "Zqxv" * 60
    bad = {
        "case_ref": f"{marker} 1",
        "category": marker,
        "flags": f"neglect;{marker}",
        "agencies": marker,
        "referral_date": marker,
        "date_of_birth": marker,
        "age_band": marker,
        "gender": long,
        "ethnicity": long,
        "child_name": long,
        "nhs_number": f"{marker}9",
        "ref_police": long,
    }
    twice = {"case_ref": f"{marker}-2"}
    problems = problems_of(write_csv(tmp_path / "r.csv", [bad, twice, twice], header=list(bad)))
    assert [p.split(":")[0] for p in problems] == [
        *(f"line 2, column {column}" for column in bad),
        "line 4, column case_ref",
    ]
    assert not [p for p in problems if marker.lower() in p.lower()]
    unknown = write_csv(tmp_path / "h.csv", [{"case_ref": "DA-1", marker: "x"}])
    assert problems_of(unknown) == [
        "line 1, column B: unknown column; expected age_band, agencies, case_ref, category, "
        "child_name, date_of_birth, ethnicity, flags, gender, nhs_number, referral_date or "
        "ref_<agency code>"
    ]


def test_a_cell_over_the_csv_field_limit_is_a_located_problem_not_a_traceback(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, 'case_ref,gender\nDA-1,female\nDA-2,"' + "x" * 140_000 + "\n")
    assert problems_of(path) == [
        'line 3: a cell is longer than 131,072 characters: a quote (") without its closing '
        "quote joins the lines after it into one cell"
    ]


def test_nhs_numbers_are_checked_all_at_once_and_each_bad_one_is_located(
    tmp_path: Path,
) -> None:
    rows = identified_rows(count=300)
    bad = {
        40: "9434765918",
        90: "943476591",
        150: "94347659x9",
        200: "٩٤٣٤٧٦٥٩١٩",
        250: "943-476 5919",
    }
    for line, number in bad.items():
        rows[line - 2]["nhs_number"] = number
    problems = problems_of(write_csv(tmp_path / "r.csv", rows))
    assert problems == [
        f"line {line}, column nhs_number: not a valid NHS number (value not shown: "
        "identifying); expected 10 digits with a correct check digit"
        for line in (40, 90, 150, 200)
    ]


def test_the_first_thousand_problems_are_listed_in_line_order_and_the_rest_counted(
    tmp_path: Path,
) -> None:
    lines = "".join(f"DA-{n},XX,arson\n" for n in range(1, 1501))
    path = write(tmp_path, "case_ref,category,flags\n" + lines)
    with pytest.raises(ImportFileError) as caught:
        read_register(path, vocab=VOCAB, today=TODAY)
    error = caught.value
    assert (len(error.problems), error.omitted) == (1000, 2000)
    assert [p.where for p in error.problems[:3]] == [
        "line 2, column category",
        "line 2, column flags",
        "line 3, column category",
    ]
    assert error.problems[-1].where == "line 501, column flags"
    assert str(error).startswith(f"{path}: 3000 problems, nothing was imported:")
    assert str(error).endswith("... and 2900 more")


def test_a_register_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "case_ref,gender\n" + "DA-1,female\n" * 100_000)
    assert problems_of(path, max_mb=1) == [
        "file: is 1.1 MB, more than the 1 MB a register may be: set JOINTAUDIT_REGISTER_MAX_MB "
        "to allow larger files"
    ]


def test_an_xlsx_that_unpacks_beyond_its_limit_is_refused_before_it_is_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 2_000_000)
    assert path.stat().st_size < 1024 * 1024
    assert problems_of(path, max_mb=1) == [
        "file: unpacks to more than 10 MB: export it as CSV, or set JOINTAUDIT_REGISTER_MAX_MB "
        "to allow larger files"
    ]
