from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from flows.report.data import build_report
from flows.report.settings import latest_texts
from models.settings import Settings
from tests.builders import NOW
from tests.flows.test_report_fixtures import baseline_and_reaudit


def test_report_front_sheet_and_commentary_commands_store_versions_and_refuse_bad_input(
    session: Session, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    _, again = baseline_and_reaudit(session, settings, tmp_path)
    round_ = str(again)
    assert main(["report", "front-sheet", round_, "--meeting", "Partnership Board",
                 "--date", "2027-03-06", "--item", "7"]) == 0  # fmt: skip
    assert main(["report", "front-sheet", "--defaults", "--lead-officer", "Myra O'Farrell"]) == 0
    assert main(["report", "commentary", round_, "findings", "Agencies *shared* well."]) == 0
    assert main(["report", "commentary", round_, "highlight:voice_of_child", "Booked"]) == 0
    assert "findings changed" in capsys.readouterr().out
    assert main(["report", "front-sheet", round_, "--date", "6 March"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["report", "commentary", round_, "summary", "x"]) == 1
    assert main(["report", "front-sheet", round_]) == 1
    session.expire_all()
    assert latest_texts(session=session, round_id=again)["meeting_date"] == "2027-03-06"
    report = build_report(session=session, round_id=again, today=NOW.date(), charts=False)
    assert report.front_sheet is not None
    assert (report.front_sheet.meeting, report.front_sheet.item_number) == (
        "Partnership Board",
        "7",
    )
    assert report.front_sheet.lead_officer == "Myra O'Farrell"
    assert report.commentary["findings"] == "Agencies *shared* well."
    assert [h.note for h in report.weaknesses] == ["Booked"]
