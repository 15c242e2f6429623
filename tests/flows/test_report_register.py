from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from flows.report.data import build_report
from flows.report.register import FEWER, shown
from flows.report.render import render_html, render_markdown
from flows.rounds.views import get_round
from models.settings import Settings
from tests.builders import NOW
from tests.flows.test_report_fixtures import baseline_and_reaudit


def test_counts_under_five_are_shown_as_fewer_than_five() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 192)] == ["0", FEWER, FEWER, "5", "192"]


def test_the_report_sets_the_round_against_the_register_and_the_previous_round(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    base, again = baseline_and_reaudit(session, settings, tmp_path)
    baseline = get_round(session=session, round_id=base)
    baseline.register_counts = {"CIN": 164, "CP": 3}
    reaudit = get_round(session=session, round_id=again)
    reaudit.register_counts = {"CIN": 192, "CP": 7}
    session.commit()
    report = build_report(session=session, round_id=again, today=NOW.date(), charts=False)
    rows = {row.category: row for row in report.register_context}
    assert (
        rows["CIN"].at_launch,
        rows["CIN"].previous,
        rows["CIN"].change,
        rows["CIN"].in_sample,
    ) == ("192", "164", "+28", FEWER)
    assert (rows["CP"].at_launch, rows["CP"].previous, rows["CP"].change) == (
        "7",
        FEWER,
        "not shown (small numbers)",
    )
    html = render_html(report)
    assert "The register at launch" in html and "fewer than 5" in html
    assert "| CIN | 192 | 164 | +28 |" in render_markdown(report)


def test_the_appendix_keeps_small_numbers_in_the_sample_suppressed_as_the_body_does(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    _, again = baseline_and_reaudit(session, settings, tmp_path)
    report = build_report(session=session, round_id=again, today=NOW.date(), charts=False)
    method = report.method.model_copy(update={"strata": [("CIN", 12), ("CP", 4)]})
    text = render_markdown(report.model_copy(update={"method": method}))
    appendix = text[text.index("Random seed") :]
    assert f"CIN 12, CP {FEWER}" in appendix and "CP 4" not in appendix
