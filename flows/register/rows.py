"""The case register's rows: what a register may contain, its values' rules, its header."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from pydantic import BaseModel

from models.errors import Problem

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
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


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
class Register:
    """A validated register, one list per column (the bulk path never builds row objects)."""

    lines: list[int]
    case_refs: list[str]
    categories: list[str | None]
    age_bands: list[str | None]
    genders: list[str | None]
    ethnicities: list[str | None]
    referral_dates: list[date | None]
    flags: list[tuple[str, ...]]
    agencies: list[tuple[str, ...]]
    identities: list[bytes | None] = field(repr=False)  # CaseIdentityData as JSON, or None
    sha256: str = ""

    def __len__(self) -> int:
        return len(self.case_refs)

    def __iter__(self) -> Iterator[RegisterRow]:
        for i, line in enumerate(self.lines):
            plaintext = self.identities[i]
            yield RegisterRow(
                line=line,
                case_ref=self.case_refs[i],
                category=self.categories[i],
                age_band=self.age_bands[i],
                gender=self.genders[i],
                ethnicity=self.ethnicities[i],
                referral_date=self.referral_dates[i],
                flags=self.flags[i],
                agencies=self.agencies[i],
                identity=None
                if plaintext is None
                else CaseIdentityData.model_validate_json(plaintext),
            )


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


def nhs_check_digit_matches(digits: str) -> bool:
    """Whether ten digits end in the modulus 11 check digit of the first nine."""
    total = sum(int(d) * w for d, w in zip(digits, NHS_WEIGHTS, strict=False))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def nhs_number_is_valid(text: str) -> bool:
    """Ten digits (spaces and dashes allowed) whose last is the check digit of the first nine."""
    digits = text.replace(" ", "").replace("-", "")
    return (
        len(digits) == 10
        and digits.isascii()
        and digits.isdigit()
        and (nhs_check_digit_matches(digits))
    )


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


def column_letter(index: int) -> str:
    """The spreadsheet letter of a column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_header(header: Sequence[str], vocab: Vocabulary) -> tuple[list[str], list[Problem]]:
    """The columns' names, or problems naming unknown headings by letter (a heading may be a
    child's details when the header row is missing)."""
    columns = [h.strip().lower().replace(" ", "_") for h in header]
    problems = []
    known = set(CLEAR_COLUMNS) | set(IDENTITY_COLUMNS)
    for index, column in enumerate(columns):
        where = f"line 1, column {column_letter(index)}"
        if column.startswith(REFERENCE_PREFIX):
            if column.removeprefix(REFERENCE_PREFIX) not in vocab.agency_codes:
                problems.append(Problem(where, "reference column for an unknown agency code"))
        elif column not in known:
            problems.append(
                Problem(
                    where,
                    f"unknown column; expected {', '.join(sorted(known))} "
                    f"or {REFERENCE_PREFIX}<agency code>",
                )
            )
    if "case_ref" not in columns:
        problems.append(Problem("line 1", "missing required column case_ref"))
    named = known | {REFERENCE_PREFIX + code for code in vocab.agency_codes}
    repeated = sorted({c for c in columns if columns.count(c) > 1 and c in named})
    problems += [Problem(f"line 1, column {c}", "column appears twice") for c in repeated]
    return columns, problems
