"""Exporting a round's submitted answers, pseudonymised (case_ref, agency, question, answer)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import Session, col, select

from flows.rounds.views import get_round
from models.agency import Agency
from models.answers import Answer, AnswerOption, AnswerSet, answer_value, counted_answers
from models.case import Case
from models.cells import safe_cell
from models.round import Assignment

COLUMNS = ("round_id", "case_ref", "agency", "question_id", "answer")


class ExportRow(BaseModel):
    """One answer: no names, no identities, only the pseudonymised case reference."""

    round_id: int
    case_ref: str
    agency: str
    question_id: str
    answer: str

    def cells(self) -> list[str | int]:
        """The row's cells, neutralised for spreadsheets."""
        return [
            self.round_id,
            *(safe_cell(v) for v in (self.case_ref, self.agency, self.question_id, self.answer)),
        ]


def _value(answer: Answer, options: Sequence[str]) -> str:
    value = answer_value(answer, options)
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def answer_rows(*, session: Session, round_id: int) -> list[ExportRow]:
    """Every answer of the round's current submitted answer sets, by case, agency, question."""
    get_round(session=session, round_id=round_id)
    rows = session.exec(
        select(Answer, Case.case_ref, Agency.code)
        .join(AnswerSet, col(AnswerSet.id) == col(Answer.answer_set_id))
        .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(counted_answers(round_id))
        .order_by(col(Case.case_ref), col(Agency.code), col(Answer.id))
    ).all()
    ids = [answer.id for answer, _, _ in rows]
    options: dict[int, list[str]] = {}
    for answer_id, option in session.exec(
        select(AnswerOption.answer_id, AnswerOption.option_id).where(
            col(AnswerOption.answer_id).in_(ids)
        )
    ):
        options.setdefault(answer_id, []).append(option)
    return [
        ExportRow(
            round_id=round_id,
            case_ref=case_ref,
            agency=code,
            question_id=answer.question_id,
            answer=_value(answer, options.get(answer.id or 0, [])),
        )
        for answer, case_ref, code in rows
    ]


def write_csv(rows: Sequence[ExportRow], path: Path) -> Path:
    """The answers as UTF-8 CSV (with a BOM so Excel reads it as UTF-8)."""
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(row.cells() for row in rows)
    return path


def write_xlsx(rows: Sequence[ExportRow], path: Path) -> Path:
    """The answers as an Excel workbook, every text cell stored as text, never a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "answers"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row.cells())
    for cells in sheet.iter_rows(min_row=2, min_col=2):
        for cell in cells:
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    workbook.save(path)
    return path


def export_answers(
    *, session: Session, round_id: int, out_dir: Path, formats: Sequence[str]
) -> list[Path]:
    """Write answers.csv and/or answers.xlsx for the round into out_dir."""
    rows = answer_rows(session=session, round_id=round_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {"csv": write_csv, "xlsx": write_xlsx}
    return [writers[f](rows, out_dir / f"round-{round_id}-answers.{f}") for f in formats]
