from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from flows.cli import main
from models.db import session_scope
from models.round import AuditRound
from models.settings import Settings
from models.tool_version import ToolVersion


@pytest.mark.prefect
def test_the_demo_runs_a_round_through_prefect_and_can_run_again(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--cases", "120"]) == 0
    out = capsys.readouterr().out
    assert "8 agencies: camhs, csc, education, icb, idva, nhs-trust, police, probation" in out
    assert "120 new, 0 updated" in out
    assert "Round 1 launched: 18 cases for each of 5 agencies" in out
    messages = sorted((settings.data_dir / "messages").glob("*.json"))
    invitations = [json.loads(m.read_text()) for m in messages if "invitation" in m.name]
    assert len(invitations) == 8  # leads and deputies of the five agencies, once each
    assert "reviews submitted" in out and "1 immediate concern raised" in out
    assert "discrepancies on the meeting's agenda" in out and "Case-level compliance" in out
    assert "approved" in out and "Joint action plan" in out
    assert "3 planned rounds" in out and "the schedule launched round 2" in out
    assert "Round 3 re-audited round 1" in out and "Re-audit against baseline" in out
    assert "actions updated by their owners before the re-audit" in out
    reports = settings.data_dir / "reports"
    for suffix in ("html", "md", "docx", "pdf"):
        assert (reports / f"round-3-board-report.{suffix}").stat().st_size > 1000
    markdown = (reports / "round-3-board-report.md").read_text()
    assert "Independent Scrutineer" in markdown and "to be confirmed" in markdown  # item number
    assert "Records compared at the meeting" in markdown  # the re-audit was moderated too
    assert "Training is booked for every team" in markdown  # the owners' updates
    with session_scope() as session:
        version = session.exec(
            select(ToolVersion.name)
            .join(AuditRound, col(AuditRound.tool_version_id) == col(ToolVersion.id))
            .where(col(AuditRound.id) == 2)
        ).one()
    assert version == "neglect"  # the programme's neglect round audits with the neglect tool
    assert main(["demo", "--cases", "120"]) == 0
    again = capsys.readouterr().out
    assert "0 new, 0 updated, 120 unchanged" in again
    assert "Round 1 already launched" in again and "0 messages sent" in again
    assert "0 reviews submitted" in again and "0 candidate actions drafted" in again
    assert "(already launched)" in again
    assert "0 actions updated by their owners" in again
    assert main(["cases", "list", "--json", "--limit", "0"]) == 0
    cases = json.loads(capsys.readouterr().out)
    assert len(cases) == 120
    assert not any("child_name" in case or "nhs_number" in case for case in cases)
