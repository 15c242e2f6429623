"""Checking a register in bulk: one pass per column with precompiled checks, each distinct value
converted once; rows are visited one by one only to locate the problems a column has.

No problem quotes a value: it names the line, the column and the rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from typing import Any

import numpy as np

from flows.register.files import Records
from flows.register.rows import (
    AGE_BANDS,
    CASE_REF_PATTERN,
    DATE_ADVICE,
    NHS_WEIGHTS,
    REFERENCE_PREFIX,
    Register,
    Vocabulary,
    age_band_for,
    nhs_check_digit_matches,
    parse_date,
)
from models.errors import ImportFileError, Problem

REPORTED_PROBLEMS = 1_000
LONGEST = {"gender": 40, "ethnicity": 80, "child_name": 200}  # the database's column sizes
LONGEST_REFERENCE = 100
CASE_REFS = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9_./-]{0,63}\n)*")
NHS_NUMBER = re.compile(r"[0-9]{10}")
NHS_NUMBERS = re.compile(r"(?:[0-9]{10}\n)*")
IDENTIFYING_DATE = f"not a valid date (value not shown: identifying); {DATE_ADVICE}"
BAD_NHS_NUMBER = (
    "not a valid NHS number (value not shown: identifying); "
    "expected 10 digits with a correct check digit"
)


@dataclass(frozen=True)
class _Refused:
    message: str


class _Found:
    """Problems by row and check; each check keeps its first REPORTED_PROBLEMS (they are found in
    line order), so the first REPORTED_PROBLEMS of the file are among those kept."""

    def __init__(self, lines: Sequence[int]) -> None:
        self.lines = lines
        self.kept: list[tuple[int, int, Problem]] = []
        self.total = 0

    def add(self, rank: int, column: str | None, rows: Sequence[tuple[int, str]]) -> None:
        self.total += len(rows)
        for index, message in rows[:REPORTED_PROBLEMS]:
            where = f"line {self.lines[index]}" + (f", column {column}" if column else "")
            self.kept.append((index, rank, Problem(where, message)))

    def refuse(self, source: str) -> ImportFileError:
        self.kept.sort(key=lambda found: found[:2])
        shown = [problem for _, _, problem in self.kept[:REPORTED_PROBLEMS]]
        return ImportFileError(source, shown, omitted=self.total - len(shown))


def _converted(
    values: list[str], convert: Callable[[str], Any], found: _Found, rank: int, column: str
) -> list[Any]:
    table = {value: convert(value) for value in set(values)}
    refused = {v: r.message for v, r in table.items() if isinstance(r, _Refused)}
    if refused:
        found.add(rank, column, [(i, refused[v]) for i, v in enumerate(values) if v in refused])
    return list(map(table.__getitem__, values))


def _limited(values: list[str], longest: int, found: _Found, rank: int, column: str) -> list[Any]:
    if values and max(map(len, values)) > longest:
        message = f"longer than {longest} characters"
        found.add(rank, column, [(i, message) for i, v in enumerate(values) if len(v) > longest])
    return [v or None for v in values]


def _listed(known: frozenset[str], one: str, several: str) -> Callable[[str], Any]:
    """Convert `a; B` to ('a', 'b'), or refuse it when a part is not in `known`."""

    def convert(text: str) -> Any:
        parts = [part.strip().lower() for part in text.split(";") if part.strip()]
        missing = sum(part not in known for part in parts)
        if missing:
            return _Refused(one if missing == 1 else several.format(missing))
        return tuple(dict.fromkeys(parts))

    return convert


def _date(today: date, invalid: str) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            return _Refused(invalid)
        return _Refused("is in the future") if parsed > today else parsed

    return convert


def _case_refs(refs: list[str], found: _Found) -> None:
    text = "\n".join(refs)
    if not refs or (text.count("\n") == len(refs) - 1 and CASE_REFS.fullmatch(text + "\n")):
        return
    missing = "missing required value"
    pattern = "not a case reference (up to 64 letters, digits and _ . / -)"
    found.add(
        1,
        "case_ref",
        [
            (i, pattern if r else missing)
            for i, r in enumerate(refs)
            if not r or not CASE_REF_PATTERN.match(r)
        ],
    )


def _duplicates(refs: list[str], found: _Found) -> None:
    if len(set(refs)) == len(refs):
        return
    first: dict[str, int] = {}
    repeated = []
    for index, ref in enumerate(refs):
        if ref and ref in first:
            line = found.lines[first[ref]]
            repeated.append((index, f"duplicate case_ref (first on line {line})"))
        first.setdefault(ref, index)
    found.add(13, "case_ref", repeated)


def _check_digits_match(digits: str) -> bool:
    """Whether every ten ASCII digits in `digits` end in the check digit of their first nine."""
    table = np.frombuffer(digits.encode("ascii"), dtype=np.uint8).reshape(-1, 10) - ord("0")
    check = (11 - (table[:, :9].astype(np.int64) @ NHS_WEIGHTS) % 11) % 11
    return bool(np.all((check != 10) & (check == table[:, 9])))


def _nhs_numbers(values: list[str], found: _Found) -> list[str | None]:
    joined = "".join(values)
    if " " in joined or "-" in joined:
        values = [v.replace(" ", "").replace("-", "") for v in values]
    given = [v for v in values if v]
    text = "\n".join(given)
    if given and not (
        text.count("\n") == len(given) - 1
        and NHS_NUMBERS.fullmatch(text + "\n")
        and _check_digits_match(text.replace("\n", ""))
    ):
        found.add(
            11,
            "nhs_number",
            [
                (i, BAD_NHS_NUMBER)
                for i, v in enumerate(values)
                if v and not (NHS_NUMBER.fullmatch(v) and nhs_check_digit_matches(v))
            ],
        )
    return [v or None for v in values]


def _run_on_rows(records: Records, found: _Found) -> None:
    """Point at a missing closing quote: a refused row that spans lines probably has one."""
    rows = sorted({index for index, _, _ in found.kept})
    found.add(
        14,
        None,
        [
            (
                i,
                f'this row runs on to line {records.ends[i]}: if that is not meant, a quote (") '
                "is missing its closing quote",
            )
            for i in rows
            if records.ends[i] > records.starts[i]
        ],
    )


def _identities(
    names: list[str],
    births: list[date | None],
    nhs: list[str | None],
    references: dict[str, list[str]],
) -> list[bytes | None]:
    """Each row's CaseIdentityData as JSON (what model_dump_json(exclude_defaults) writes)."""
    parts: list[list[str]] = []
    if any(names):
        parts.append([',"child_name":' + encode_basestring(v) if v else "" for v in names])
    if any(births):
        iso = {d: ',"date_of_birth":"' + d.isoformat() + '"' for d in set(births) if d}
        parts.append([iso[d] if d else "" for d in births])
    if any(nhs):
        parts.append([',"nhs_number":"' + v + '"' if v else "" for v in nhs])
    if references:
        joined = map(
            "".join,
            zip(
                *(
                    [
                        f",{encode_basestring(code)}:{encode_basestring(v)}" if v else ""
                        for v in values
                    ]
                    for code, values in references.items()
                ),
                strict=True,
            ),
        )
        parts.append([',"references":{' + r[1:] + "}" if r else "" for r in joined])
    if not parts:
        return [None] * len(names)
    return [
        ("{" + body[1:] + "}").encode() if body else None
        for body in map("".join, zip(*parts, strict=True))
    ]


def check_columns(
    columns: list[str], records: Records, *, vocab: Vocabulary, today: date, source: str
) -> Register:
    """The validated register, or ImportFileError with its first problems and a count."""
    rows, width = records.rows, len(columns)
    found = _Found(records.starts)
    if set(map(len, rows)) - {width}:
        found.add(
            0,
            "-",
            [
                (i, f"{len(r)} cells but the header has {width} columns")
                for i, r in enumerate(rows)
                if len(r) > width
            ],
        )
        rows = [(r + [""] * width)[:width] for r in rows]
    stripped = (list(map(str.strip, values)) for values in zip(*rows, strict=True))
    cells = dict(zip(columns, stripped, strict=False))
    blank = [""] * len(rows)

    def column(name: str) -> list[str]:
        return cells.get(name, blank)

    refs = column("case_ref")
    _case_refs(refs, found)
    canonical = vocab.canonical_categories
    category = "unknown category; expected one of {} (JOINTAUDIT_CASE_CATEGORIES)"
    categories = _converted(
        column("category"),
        lambda v: (
            canonical.get(v.upper(), _Refused(category.format(", ".join(vocab.categories))))
            if v
            else None
        ),
        found,
        2,
        "category",
    )
    flags = _converted(
        column("flags"),
        _listed(
            vocab.flags,
            f"unknown flag; expected some of {', '.join(sorted(vocab.flags))} "
            "(JOINTAUDIT_CASE_FLAGS)",
            f"{{}} unknown flags; expected some of {', '.join(sorted(vocab.flags))} "
            "(JOINTAUDIT_CASE_FLAGS)",
        ),
        found,
        3,
        "flags",
    )
    agencies = _converted(
        column("agencies"),
        _listed(
            vocab.agency_codes,
            "unknown agency code: load it with `jointaudit agencies load` first",
            "{} unknown agency codes: load them with `jointaudit agencies load` first",
        ),
        found,
        4,
        "agencies",
    )
    referrals = _converted(
        column("referral_date"),
        _date(today, f"not a valid date; {DATE_ADVICE}"),
        found,
        5,
        "referral_date",
    )
    births = _converted(
        column("date_of_birth"), _date(today, IDENTIFYING_DATE), found, 6, "date_of_birth"
    )
    band = f"unknown age band; expected one of {', '.join(AGE_BANDS)}"
    bands = _converted(
        column("age_band"),
        lambda v: (v if v in AGE_BANDS else _Refused(band)) if v else None,
        found,
        7,
        "age_band",
    )
    genders = _limited(column("gender"), LONGEST["gender"], found, 8, "gender")
    ethnicities = _limited(column("ethnicity"), LONGEST["ethnicity"], found, 9, "ethnicity")
    _limited(column("child_name"), LONGEST["child_name"], found, 10, "child_name")
    nhs = _nhs_numbers(column("nhs_number"), found)
    references = {
        name.removeprefix(REFERENCE_PREFIX): cells[name]
        for name in columns
        if name.startswith(REFERENCE_PREFIX)
    }
    for code, values in references.items():
        _limited(values, LONGEST_REFERENCE, found, 12, REFERENCE_PREFIX + code)
    _duplicates(refs, found)
    if found.total:
        _run_on_rows(records, found)
        raise found.refuse(source)
    by_birth = {d: age_band_for(d, today) for d in set(births) if d}
    return Register(
        lines=records.starts,
        case_refs=refs,
        categories=categories,
        age_bands=[by_birth[d] if d else b for d, b in zip(births, bands, strict=True)],
        genders=genders,
        ethnicities=ethnicities,
        referral_dates=referrals,
        flags=flags,
        agencies=agencies,
        identities=_identities(column("child_name"), births, nhs, references),
    )
