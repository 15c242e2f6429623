from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session, select

from flows.programme.review import previous_quarter, quarter_bounds, quarterly_review
from flows.programme.review_files import write_review
from models.agency import Agency
from models.errors import InputError
from models.settings import Settings
from tests.flows.test_report_fixtures import baseline_and_reaudit


def test_quarters_are_calendar_quarters() -> None:
    assert quarter_bounds("2026Q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_bounds("2026q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert previous_quarter(date(2027, 1, 5)) == "2026Q4"
    assert previous_quarter(date(2026, 11, 25)) == "2026Q3"
    with pytest.raises(InputError, match="use YEARQN"):
        quarter_bounds("autumn")


def test_the_quarterly_review_matches_the_hand_computed_fixture(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    base, again = baseline_and_reaudit(session, settings, tmp_path)
    review = quarterly_review(session=session, quarter="2026Q4")
    assert [(x.round_id, x.state) for x in review.rounds] == [
        (base, "launched"),
        (again, "launched"),
        (base, "due (reconciling)"),
        (again, "due (reconciling)"),
    ]
    # Two rounds of 4 cases x 3 agencies; police did not know C-0003 in the baseline (an
    # answer); everything was answered on 25 November, before the 16 December due date.
    assert [(a.agency, a.assignments, a.answered, a.on_time) for a in review.agencies] == [
        ("csc", 8, 8, 8),
        ("health", 8, 8, 8),
        ("police", 8, 8, 8),
    ]
    assert review.actions == []
    # chronology: 4:4 at baseline, 3:4 at re-audit.
    assert [(w.round_id, w.baseline, w.current, w.change_points) for w in review.worse] == [
        (again, "100% (4:4)", "75% (3:4)", -25)
    ]
    assert quarterly_review(session=session, quarter="2026Q3").rounds == []
    files = write_review(review, tmp_path / "out", ["html", "md", "docx"])
    assert [f.suffix for f in files] == [".html", ".md", ".docx"]
    assert "75% (3:4)" in files[0].read_text() and "75% (3:4)" in files[1].read_text()
    cells = [c.text for t in Document(str(files[2])).tables for row in t.rows for c in row.cells]
    assert "75% (3:4)" in cells
    assert "<script>" not in files[0].read_text().split("<body>")[1]


def test_the_quarterly_review_reads_agreement_in_the_findings_words_in_every_format(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    baseline_and_reaudit(session, settings, tmp_path)
    review = quarterly_review(session=session, quarter="2026Q4")
    assert review.agreement, "the fixture's shared questions were answered by several agencies"
    first = review.agreement[0].reading
    assert first.startswith(("pairs of agencies gave the same answer ", "too few cases"))
    files = write_review(review, tmp_path / "out", ["html", "md", "docx"])
    cells = [c.text for t in Document(str(files[2])).tables for row in t.rows for c in row.cells]
    assert first in files[0].read_text() and first in files[1].read_text() and first in cells
    assert "Landis and Koch" in files[1].read_text()


def test_the_review_documents_name_agencies_and_tools_never_their_codes(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    baseline_and_reaudit(session, settings, tmp_path)
    review = quarterly_review(session=session, quarter="2026Q4")
    assert review.worse, "the fixture has a theme that got worse"
    taking_part = {line.agency for line in review.agencies}
    names = {a.code: a.name for a in session.exec(select(Agency)) if a.code in taking_part}
    assert len(names) == 3
    html, markdown, docx = write_review(review, tmp_path / "out", ["html", "md", "docx"])
    cells = [c.text for t in Document(str(docx)).tables for row in t.rows for c in row.cells]
    for text in (html.read_text(), markdown.read_text(), "\n".join(cells)):
        assert all(name in text for name in names.values())
        assert review.worse[0].tool_title in text
        words = set(re.findall(r"[\w-]+", text))
        assert not words & {*names, review.worse[0].tool}
