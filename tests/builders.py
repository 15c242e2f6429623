"""Keyword-only builders of test data (instead of factory frameworks)."""

from __future__ import annotations

import copy
import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from agencies.registry import load_registry_file
from flows.register.rows import Vocabulary
from models.questionnaire import KNOWN_QUESTION_TEXT

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
AGENCY_CODES = ("police", "csc", "health", "education", "probation")


def agency_entry(
    *, code: str, name: str | None = None, deputy: bool = True, escalation: bool = True
) -> dict[str, Any]:
    """One agency of a registry file, with plausible contacts."""
    entry: dict[str, Any] = {
        "code": code,
        "name": name or f"{code.title()} agency",
        "lead": {"name": f"{code.title()} Lead", "email": f"lead@{code}.example.org"},
    }
    if deputy:
        entry["deputy"] = {"name": f"{code.title()} Deputy", "email": f"deputy@{code}.example.org"}
    if escalation:
        entry["escalation"] = {
            "name": f"{code.title()} Manager",
            "email": f"manager@{code}.example.org",
        }
    return entry


def registry_data(*, codes: Sequence[str] = AGENCY_CODES) -> dict[str, Any]:
    """A whole registry file's content."""
    return {
        "partnership": {
            "name": "Testshire Safeguarding Children Partnership",
            "front_door": {
                "name": "Testshire MASH",
                "email": "mash@testshire.example.org",
                "phone": "01632 960 123",
            },
            "coordinators": [{"name": "Casey Coordinator", "email": "casey@testshire.example.org"}],
        },
        "agencies": [agency_entry(code=code) for code in codes],
    }


def write_yaml(path: Path, data: Any) -> Path:
    """Write data as YAML."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load_agencies(*, session: Session, tmp_path: Path, codes: Sequence[str] = AGENCY_CODES) -> None:
    """Load a registry of the given agencies and commit."""
    path = write_yaml(tmp_path / "agencies.yaml", registry_data(codes=codes))
    load_registry_file(session=session, path=path, actor="test", now=NOW)
    session.commit()


def register_row(*, case_ref: str, **fields: str) -> dict[str, str]:
    """One register row; identifying columns only when given."""
    row = {
        "case_ref": case_ref,
        "category": "CIN",
        "flags": "domestic_abuse",
        "gender": "female",
        "ethnicity": "White British",
        "referral_date": "2026-03-01",
        "agencies": "police;csc",
    }
    row.update(fields)
    return row


def write_csv(
    path: Path, rows: Sequence[dict[str, str]], header: Sequence[str] | None = None
) -> Path:
    """Write rows as CSV with the union of their keys (or the given header)."""
    columns = list(header) if header else list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_register(*, session: Session, tmp_path: Path, rows: Sequence[dict[str, str]]) -> None:
    """Import register rows (agencies must be loaded) and commit."""
    from flows.register.importer import import_case_file
    from models.settings import get_settings

    path = write_csv(tmp_path / "register.csv", rows)
    import_case_file(session=session, path=path, settings=get_settings(), actor="test", now=NOW)
    session.commit()


def register_of(
    *,
    counts: dict[str, int],
    flags: str = "domestic_abuse",
    agencies: str = "police;csc;health",
    prefix: str = "C",
) -> list[dict[str, str]]:
    """Rows with `counts` cases per category, numbered in order."""
    rows = []
    for category, count in counts.items():
        for _ in range(count):
            rows.append(
                register_row(
                    case_ref=f"{prefix}-{len(rows) + 1:04d}",
                    category=category,
                    flags=flags,
                    agencies=agencies,
                )
            )
    return rows


def launch_parameters(**overrides: Any) -> Any:
    """Launch parameters for a small domestic abuse round; keyword overrides."""
    from models.round_parameters import LaunchParameters, SelectionCriteria

    values: dict[str, Any] = {
        "title": "Domestic abuse joint audit",
        "tool": "domestic-abuse",
        "agencies": ["police", "csc", "health"],
        "criteria": SelectionCriteria(flags=["domestic_abuse"]),
        "sample_size": 6,
        "seed": 42,
        "due_date": date(2026, 12, 16),
    }
    values.update(overrides)
    return LaunchParameters(**values)


def submit_answers(
    *,
    session: Session,
    round_id: int,
    agency: str,
    case_ref: str,
    answers: dict[str, str | int],
    not_known: bool = False,
) -> None:
    """Record an agency's submitted answers about a case, as the portal would (no commit)."""
    from sqlmodel import col, select

    from models.agency import Agency
    from models.answers import Answer, AnswerSet, AnswerSetStatus
    from models.case import Case
    from models.round import Assignment, AssignmentStatus

    assignment = session.exec(
        select(Assignment)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(
            col(Assignment.round_id) == round_id,
            col(Agency.code) == agency,
            col(Case.case_ref) == case_ref,
        )
    ).one()
    assignment.status = AssignmentStatus.not_known if not_known else AssignmentStatus.submitted
    assignment.submitted_at = NOW
    answer_set = AnswerSet(
        assignment_id=assignment.id or 0, status=AnswerSetStatus.submitted, submitted_at=NOW
    )
    session.add(answer_set)
    session.flush()
    values = {"known_to_agency": "no"} if not_known else {"known_to_agency": "yes", **answers}
    free_text = ("good_practice", "areas_for_development", "recommendations")
    for question_id, value in values.items():
        text = question_id in free_text
        session.add(
            Answer(
                answer_set_id=answer_set.id or 0,
                question_id=question_id,
                choice=value if isinstance(value, str) and not text else None,
                text=str(value) if text else None,
                number=value if isinstance(value, int) else None,
            )
        )
    session.flush()


def launched(*, session: Session, settings: Any, key: str, seed: int = 42, **overrides: Any) -> int:
    """A round launched over the loaded register (launch_parameters with `overrides`); committed."""
    from flows.rounds.launch import launch_round

    result = launch_round(
        session=session,
        params=launch_parameters(**overrides),
        seed=seed,
        idempotency_key=key,
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    return result.round_id


def launch_chase_round(
    *, session: Session, settings: Any, tmp_path: Path, due: date, key: str
) -> int:
    """Police and csc audit four CIN cases due on `due` (the chase tests' round); committed."""
    load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc", "health"))
    import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 6}))
    return launched(
        session=session,
        settings=settings,
        key=key,
        agencies=["police", "csc"],
        sample_size=4,
        due_date=due,
    )


def at_nine(day: date) -> datetime:
    """09:00 in England on the day (when the chase schedule runs)."""
    from datetime import time

    from models.calendar import LONDON

    return datetime.combine(day, time(9, 0), tzinfo=LONDON)


KNOWN: dict[str, Any] = {
    "id": "known_to_agency",
    "type": "yes_no_na",
    "allow_na": False,
    "text": KNOWN_QUESTION_TEXT,
}
CLOSING: list[dict[str, Any]] = [
    {"id": "good_practice", "type": "text", "text": "Good practice?", "required": False},
    {"id": "areas_for_development", "type": "text", "text": "Areas for development?"},
    {"id": "recommendations", "type": "text", "text": "Recommendations?"},
]


def tool_data(*questions: dict[str, Any]) -> dict[str, Any]:
    """A valid tool around the given questions, which sit at sections[1].questions[i]."""
    return {
        "name": "test-tool",
        "title": "Test tool",
        "sections": [
            {"title": "About this child", "questions": [copy.deepcopy(KNOWN)]},
            {"title": "Practice", "questions": [copy.deepcopy(q) for q in questions]},
            {"title": "Summary", "questions": copy.deepcopy(CLOSING)},
        ],
    }


def tool_sheet_rows(tool_name: str = "s47-strategy") -> dict[str, list[list[Any]]]:
    """A built-in tool's spreadsheet rows (survey, choices, settings), to edit in a test."""
    from models.questionnaire.catalog import load_tool
    from models.questionnaire.spreadsheet_writer import tool_sheets

    return {
        name: [list(row) for row in rows]
        for name, rows in tool_sheets(load_tool(tool_name)).items()
    }


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write rows as an XLSX workbook, one sheet per entry (cells starting "=" are formulas)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def tool_with_questions(*questions: dict[str, Any]) -> Any:
    """The domestic abuse tool with the given question definitions added as a second section."""
    from models.questionnaire import Tool
    from models.questionnaire.catalog import load_tool

    data = load_tool("domestic-abuse").model_dump(mode="json")
    data["sections"].insert(1, {"title": "Added for the test", "questions": list(questions)})
    return Tool.model_validate(data)


def round_answers(
    *, answers: dict[str, dict[str, dict[str, Any]]], agencies: Sequence[str] = ()
) -> Any:
    """In-memory RoundAnswers from question -> case -> agency -> value."""
    import numpy as np

    from flows.reconcile.compute import RoundAnswers

    cases = sorted({c for by_case in answers.values() for c in by_case})
    codes = sorted(
        set(agencies) | {a for by_case in answers.values() for v in by_case.values() for a in v}
    )
    rows = [
        (codes.index(agency), cases.index(case), question, value)
        for question, by_case in answers.items()
        for case, by_agency in by_case.items()
        for agency, value in by_agency.items()
    ]
    return RoundAnswers(
        agencies=codes,
        cases=cases,
        agency_index=np.array([r[0] for r in rows], dtype=np.intp),
        case_index=np.array([r[1] for r in rows], dtype=np.intp),
        question_ids=[r[2] for r in rows],
        values=[r[3] for r in rows],
    )


def raise_test_concern(
    *,
    session: Session,
    round_id: int,
    now: datetime,
    settings: Any,
    agency: str = "police",
    description: str = "Bruises seen at school, not shared with children's social care.",
    immediate_risk: bool = False,
) -> int:
    """The agency's lead raises a concern on its first case of the round; committed."""
    from sqlmodel import col, select

    from flows.answers.access import get_assignment
    from flows.answers.concerns import raise_concern
    from models.agency import Agency
    from models.round import AccessGrant, Assignment, GrantRole

    assignment_id, lead = session.exec(
        select(Assignment.id, AccessGrant.person_id)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(
            AccessGrant,
            (col(AccessGrant.agency_id) == col(Assignment.agency_id))
            & (col(AccessGrant.round_id) == col(Assignment.round_id)),
        )
        .where(
            col(Assignment.round_id) == round_id,
            col(Agency.code) == agency,
            col(AccessGrant.role) == GrantRole.lead,
        )
        .order_by(col(Assignment.case_id))
    ).first() or (None, None)
    assert assignment_id is not None and lead is not None
    view = get_assignment(session=session, person_id=lead, assignment_id=assignment_id)
    raised = raise_concern(
        session=session,
        view=view,
        person_id=lead,
        now=now,
        settings=settings,
        description=description,
        immediate_risk=immediate_risk,
    )
    session.commit()
    return raised.concern.id or 0


REGISTER_VOCAB = Vocabulary(
    flags=frozenset({"domestic_abuse", "neglect", "s47"}),
    categories=("EH", "CIN", "CP", "LAC"),
    agency_codes=frozenset({"police", "csc", "health"}),
)
REGISTER_TODAY = date(2026, 11, 25)
FICTIONAL_FIRST = ("Ysolde", "Perpetua", "Thaddeus", "Wilhelmina", "Ignatius", "Clementine")
FICTIONAL_LAST = ("Quillfeather", "Marrowby", "Fenwright", "Oddingley", "Brackenholt")


def identified_rows(*, count: int, seed: int = 11) -> list[dict[str, str]]:
    """Register rows with fictional (but unique and findable) names and valid NHS numbers."""
    import random

    from flows.cli.demo.data import synthetic_nhs_number

    rng = random.Random(seed)
    return [
        register_row(
            case_ref=f"DA-{n}",
            child_name=f"{FICTIONAL_FIRST[n % 6]} {FICTIONAL_LAST[n % 5]}-{n}",
            date_of_birth=f"2015-{1 + n % 12:02d}-{1 + n % 28:02d}",
            nhs_number=synthetic_nhs_number(rng),
        )
        for n in range(1, count + 1)
    ]


def with_unbalanced_quote(path: Path, *, line: int) -> Path:
    """Put a `"` before the second cell (the category) of `line`: that cell swallows the rest."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    ref, rest = lines[line - 1].split(",", 1)
    lines[line - 1] = f'{ref},"{rest}'
    path.write_text("".join(lines), encoding="utf-8")
    return path
