"""Reading a case register file (CSV or XLSX) into validated rows; every bad row is reported."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from models.errors import ImportFileError, Problem

CLEAR_COLUMNS = (
    "case_ref",
    "category",
    "flags",
    "age_band",
    "gender",
    "ethnicity",
    "referral_date",
    "agencies",
)
IDENTITY_COLUMNS = ("child_name", "date_of_birth", "nhs_number")
REFERENCE_PREFIX = "ref_"
AGE_BANDS = ("under-1", "1-4", "5-9", "10-15", "16-17", "18+")
CASE_REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")
DATE_ADVICE = "use YYYY-MM-DD or DD/MM/YYYY"


class CaseIdentityData(BaseModel):
    """What finds the child in an agency's records; only ever stored encrypted."""

    child_name: str | None = None
    date_of_birth: date | None = None
    nhs_number: str | None = None
    references: dict[str, str] = {}


@dataclass(frozen=True)
class Vocabulary:
    """What a register may contain: flags, categories and agency codes."""

    flags: frozenset[str]
    categories: tuple[str, ...]
    agency_codes: frozenset[str]

    @cached_property
    def canonical_categories(self) -> dict[str, str]:
        """Upper-cased category -> the category as configured."""
        return {c.upper(): c for c in self.categories}


@dataclass
class RegisterRow:
    """One validated row of the register."""

    line: int
    case_ref: str
    category: str | None
    age_band: str | None
    gender: str | None
    ethnicity: str | None
    referral_date: date | None
    flags: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    identity: CaseIdentityData | None = None


@dataclass
class _RowCheck:
    line: int
    problems: list[Problem] = field(default_factory=list)

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(f"line {self.line}, column {column}", message))


def age_band_for(date_of_birth: date, today: date) -> str:
    """The age band of a child born on `date_of_birth`, as of `today`."""
    years = (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )
    for limit, band in ((1, "under-1"), (5, "1-4"), (10, "5-9"), (16, "10-15"), (18, "16-17")):
        if years < limit:
            return band
    return "18+"


def nhs_number_is_valid(text: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit of the first nine."""
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def parse_date(text: str) -> date | None:
    """A date in ISO (YYYY-MM-DD) or UK day-first (DD/MM/YYYY) form, or None."""
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return date.fromisoformat(text)
        day, month, year = text.split("/")
        if len(year) == 4:
            return date(int(year), int(month), int(day))
    except ValueError:
        return None
    return None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _check_row(
    check: _RowCheck,
    cells: dict[str, str],
    vocab: Vocabulary,
    today: date,
    reference_columns: Sequence[str] = (),
) -> RegisterRow | None:
    case_ref = cells.get("case_ref", "")
    if not case_ref:
        check.fail("case_ref", "missing required value")
    elif not CASE_REF_PATTERN.match(case_ref):
        check.fail("case_ref", f"{case_ref!r} is not a case reference (letters, digits, _ . / -)")
    category = cells.get("category") or None
    if category is not None:
        canonical = vocab.canonical_categories.get(category.upper())
        if canonical is None:
            check.fail(
                "category",
                f"unknown category {category!r}; expected one of "
                f"{', '.join(vocab.categories)} (JOINTAUDIT_CASE_CATEGORIES)",
            )
        category = canonical
    flags = [f.lower() for f in _split(cells.get("flags", ""))]
    for flag in flags:
        if flag not in vocab.flags:
            check.fail(
                "flags",
                f"unknown flag {flag!r}; expected some of "
                f"{', '.join(sorted(vocab.flags))} (JOINTAUDIT_CASE_FLAGS)",
            )
    agencies = [a.lower() for a in _split(cells.get("agencies", ""))]
    for code in agencies:
        if code not in vocab.agency_codes:
            check.fail(
                "agencies",
                f"unknown agency code {code!r}: load it with `jointaudit agencies load` first",
            )
    dates: dict[str, date | None] = {}
    for column in ("referral_date", "date_of_birth"):
        text = cells.get(column, "")
        dates[column] = parse_date(text) if text else None
        if text and dates[column] is None:
            shown = "value not shown: identifying" if column == "date_of_birth" else repr(text)
            check.fail(column, f"not a valid date ({shown}); {DATE_ADVICE}")
        elif dates[column] is not None and dates[column] > today:  # type: ignore[operator]
            check.fail(column, "is in the future")
    age_band = cells.get("age_band") or None
    if age_band is not None and age_band not in AGE_BANDS:
        check.fail(
            "age_band", f"unknown age band {age_band!r}; expected one of {', '.join(AGE_BANDS)}"
        )
    dob = dates["date_of_birth"]
    if dob is not None:
        age_band = age_band_for(dob, today)
    nhs = cells.get("nhs_number") or None
    if nhs is not None and not nhs_number_is_valid(nhs):
        check.fail(
            "nhs_number",
            "not a valid NHS number (value not shown: identifying); "
            "expected 10 digits with a correct check digit",
        )
    references = {
        column.removeprefix(REFERENCE_PREFIX): cells[column]
        for column in reference_columns
        if cells.get(column)
    }
    if check.problems:
        return None
    name = cells.get("child_name") or None
    has_identity = bool(name or dob or nhs or references)
    # Every value was checked above: construct without validating again (the hot path).
    identity = CaseIdentityData.model_construct(
        child_name=name,
        date_of_birth=dob,
        nhs_number=nhs.replace(" ", "") if nhs else None,
        references=references,
    )
    return RegisterRow(
        line=check.line,
        case_ref=case_ref,
        category=category,
        age_band=age_band,
        gender=cells.get("gender") or None,
        ethnicity=cells.get("ethnicity") or None,
        referral_date=dates["referral_date"],
        flags=tuple(dict.fromkeys(flags)),
        agencies=tuple(dict.fromkeys(agencies)),
        identity=identity if has_identity else None,
    )


def _check_header(header: Sequence[str], vocab: Vocabulary) -> tuple[list[str], list[Problem]]:
    columns = [h.strip().lower().replace(" ", "_") for h in header]
    problems = []
    known = set(CLEAR_COLUMNS) | set(IDENTITY_COLUMNS)
    for column in columns:
        if column.startswith(REFERENCE_PREFIX):
            if column.removeprefix(REFERENCE_PREFIX) not in vocab.agency_codes:
                problems.append(
                    Problem(
                        f"line 1, column {column}", "reference column for an unknown agency code"
                    )
                )
        elif column not in known:
            problems.append(
                Problem(
                    f"line 1, column {column or '(blank)'}",
                    f"unknown column; expected {', '.join(sorted(known))} "
                    f"or {REFERENCE_PREFIX}<agency code>",
                )
            )
    if "case_ref" not in columns:
        problems.append(Problem("line 1", "missing required column case_ref"))
    duplicates = {c for c in columns if columns.count(c) > 1}
    problems += [Problem(f"line 1, column {c}", "column appears twice") for c in sorted(duplicates)]
    return columns, problems


def _csv_lines(data: bytes, source: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            source, [Problem("file", "is not UTF-8 text: save the CSV as UTF-8")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    end_of_previous = 0
    for record in reader:
        # A quoted cell may span lines: report the line where the record starts.
        yield end_of_previous + 1, record
        end_of_previous = reader.line_num


def _xlsx_lines(path: Path, source: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: slow, and only XLSX needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many unrelated types for a damaged file
        raise ImportFileError(
            source, [Problem("file", "is not a readable XLSX workbook")]
        ) from None
    sheet = workbook.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield (
            number,
            [
                "" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v)
                for v in values
            ],
        )
    workbook.close()


def read_register(path: Path, *, vocab: Vocabulary, today: date) -> list[RegisterRow]:
    """Every row of the register, or ImportFileError listing every bad row (line N, column)."""
    source = str(path)
    if not path.exists():
        raise ImportFileError(source, [Problem("file", "not found")])
    if path.suffix.lower() == ".xlsx":
        lines = _xlsx_lines(path, source)
    elif path.suffix.lower() in (".csv", ".txt"):
        lines = _csv_lines(path.read_bytes(), source)
    else:
        raise ImportFileError(source, [Problem("file", "expected a .csv or .xlsx file")])
    first = next(lines, None)
    if first is None:
        raise ImportFileError(source, [Problem("file", "is empty: expected a header row")])
    columns, problems = _check_header(first[1], vocab)
    if problems:
        raise ImportFileError(source, problems)
    rows: list[RegisterRow] = []
    first_line: dict[str, int] = {}
    reference_columns = [c for c in columns if c.startswith(REFERENCE_PREFIX)]
    for line, record in lines:
        if not any(cell.strip() for cell in record):
            continue
        check = _RowCheck(line)
        if len(record) > len(columns):
            check.fail("-", f"{len(record)} cells but the header has {len(columns)} columns")
        cells = {c: v.strip() for c, v in zip(columns, record, strict=False)}
        row = _check_row(check, cells, vocab, today, reference_columns)
        ref = cells.get("case_ref", "")
        if ref and ref in first_line:
            check.fail("case_ref", f"duplicate case_ref {ref!r} (first on line {first_line[ref]})")
        first_line.setdefault(ref, line)
        problems += check.problems
        if row is not None and not check.problems:
            rows.append(row)
    if problems:
        raise ImportFileError(source, problems)
    return rows
