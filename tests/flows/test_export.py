from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.answers.export import answer_rows, export_answers, safe_cell
from models.settings import Settings
from tests.flows.test_report_fixtures import NASTY, baseline_and_reaudit


@pytest.fixture
def baseline(session: Session, settings: Settings, tmp_path: Path) -> int:
    return baseline_and_reaudit(session, settings, tmp_path)[0]


def test_every_submitted_answer_is_exported_by_case_agency_and_question(
    session: Session, baseline: int
) -> None:
    rows = answer_rows(session=session, round_id=baseline)
    assert len(rows) == 11 * 4 + 4 + 1  # 11 known x 4, health free text x 4, 1 not known
    first = rows[0]
    assert (first.case_ref, first.agency, first.question_id, first.answer) == (
        "C-0001", "csc", "known_to_agency", "yes",
    )  # fmt: skip
    assert ("C-0003", "police", "known_to_agency", "no") in {
        (r.case_ref, r.agency, r.question_id, r.answer) for r in rows
    }


def test_csv_and_xlsx_hold_no_identities_and_never_run_free_text_as_a_formula(
    session: Session, baseline: int, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    csv_path, xlsx_path = export_answers(
        session=session, round_id=baseline, out_dir=tmp_path / "x", formats=["csv", "xlsx"]
    )
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["round_id", "case_ref", "agency", "question_id", "answer"]
    flat = " ".join(" ".join(row) for row in table)
    assert "Lead" not in flat and "@" not in flat  # no names or e-mail addresses
    assert NASTY in [row[4] for row in table]
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["round_id", "case_ref", "agency", "question_id", "answer"]
    assert len(values) == len(table)
    assert all(
        cell.data_type == "s" for row in sheet.iter_rows(min_row=2, min_col=2) for cell in row
    )


def test_cells_that_look_like_formulas_are_neutralised() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-3") == "-3" and safe_cell("yes\x00") == "yes"


def test_round_export_command_writes_both_files(
    session: Session, baseline: int, tmp_path: Path
) -> None:
    from flows.cli import main

    out = tmp_path / "export"
    assert main(["round", "export", str(baseline), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["round-1-answers.csv", "round-1-answers.xlsx"]
    assert main(["round", "export", str(baseline), "--format", "ods"]) == 1


def test_a_round_exports_to_one_pseudonymised_zip_and_the_export_is_audited(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    import json
    import zipfile

    from flows.retention.archive import export_round_zip
    from models.audit_log import list_events
    from tests.builders import NOW
    from tests.flows.test_report_fixtures import baseline_and_reaudit

    base, _again = baseline_and_reaudit(session, settings, tmp_path)
    path = export_round_zip(
        session=session, round_id=base, out_dir=tmp_path / "out", now=NOW, actor="coordinator"
    )
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "actions.json",
            "answers.csv",
            "audit.json",
            "findings.json",
            "messages.json",
            "round.json",
        ]
        round_ = json.loads(archive.read("round.json"))
        assert round_["round_id"] == base and len(round_["assignments"]) == 12
        assert json.loads(archive.read("findings.json"))["round_id"] == base
        assert "round.launched" in archive.read("audit.json").decode()
        assert b"C-0001" in archive.read("answers.csv")
    assert list_events(session=session, action="round.exported")[0].actor == "coordinator"


def test_the_export_and_reconciliation_count_the_same_assignments(
    session: Session, baseline: int
) -> None:
    from flows.reconcile.load import load_answers

    exported = {(r.agency, r.case_ref) for r in answer_rows(session=session, round_id=baseline)}
    loaded = load_answers(session=session, round_id=baseline)
    reconciled = {
        (loaded.agencies[a], loaded.cases[c])
        for a, c in zip(loaded.agency_index, loaded.case_index, strict=True)
    }
    assert ("police", "C-0003") in exported  # the not-known assignment
    assert reconciled == exported
