from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from flows.reconcile.findings import Compliance, Findings, QuestionFindings
from flows.report.comparison import compare
from flows.report.data import build_report, question_row
from flows.report.highlights import change_highlight, question_highlight
from flows.report.model import ActionItem, BoardReport
from flows.report.render import escape_markdown, render_html, render_markdown
from models.settings import Settings
from tests.builders import NOW
from tests.flows.test_report_fixtures import SCRIPT, baseline_and_reaudit


@pytest.fixture
def rounds(session: Session, settings: Settings, tmp_path: Path) -> tuple[int, int]:
    return baseline_and_reaudit(session, settings, tmp_path)


def report_of(session: Session, round_id: int, **kwargs: Any) -> BoardReport:
    return build_report(session=session, round_id=round_id, today=NOW.date(), **kwargs)


def findings_of(**case_level: Compliance) -> Findings:
    return Findings(
        round_id=1,
        provisional=False,
        concerns={},
        not_known={},
        responses={},
        discrepancies=[],
        questions=[
            QuestionFindings(
                id=qid, text=f"Was {qid} done?", type="yes_no_na", shared=True, by_agency={},
                case_level=figure,
            )
            for qid, figure in case_level.items()
        ],
    )  # fmt: skip


def test_reaudit_shows_the_hand_computed_change_per_question_with_both_n_and_d(
    session: Session, rounds: tuple[int, int]
) -> None:
    base, again = rounds
    comparison = report_of(session, again).comparison
    assert comparison is not None and comparison.baseline_round_id == base
    assert [
        (r.id, r.baseline.label, r.current.label, r.change_points, r.direction)
        for r in comparison.rows
    ] == [
        ("info_sharing", "50% (2:4)", "100% (4:4)", 50, "improved"),
        ("chronology", "100% (4:4)", "75% (3:4)", -25, "worse"),
        ("voice_of_child", "50% (2:4)", "50% (2:4)", 0, "unchanged"),
    ]
    assert all(r.caution and "too few to tell" in r.caution for r in comparison.rows)
    assert report_of(session, base).comparison is None


def test_a_change_is_only_read_as_real_when_the_numbers_can_show_it() -> None:
    before = findings_of(
        big=Compliance(met=5, applicable=18), small=Compliance(met=12, applicable=18)
    )
    after = findings_of(
        big=Compliance(met=15, applicable=18), small=Compliance(met=13, applicable=18)
    )
    big, small = compare(after, before)
    assert (big.change_points, big.direction, big.caution) == (56, "improved", None)
    assert (small.change_points, small.direction) == (6, "improved")
    assert small.caution is not None and "could be chance" in small.caution


def test_a_baseline_without_findings_is_named_rather_than_compared(
    session: Session, rounds: tuple[int, int]
) -> None:
    from sqlmodel import col, delete

    from models.moderation import Reconciliation

    session.exec(delete(Reconciliation).where(col(Reconciliation.round_id) == rounds[0]))  # type: ignore[call-overload]
    session.commit()
    comparison = report_of(session, rounds[1]).comparison
    assert comparison is not None and comparison.rows == []
    assert comparison.note is not None and "never reconciled" in comparison.note


def test_highlights_read_like_the_council_report_and_stay_provisional_until_moderated(
    session: Session, rounds: tuple[int, int]
) -> None:
    report = report_of(session, rounds[0])
    assert report.highlights[0] == (
        "Information about the domestic abuse was shared between agencies when it was needed: "
        "evidenced in 50% (2:4) of cases (provisional until moderated)"
    )


def test_a_question_without_a_finding_is_quoted_rather_than_reworded() -> None:
    before = findings_of(own=Compliance(met=1, applicable=4))
    after = findings_of(own=Compliance(met=3, applicable=4))
    row = question_row(after.questions[0]).model_copy(update={"provisional": False})
    assert question_highlight(row) == "Standard met in 75% (3:4) of cases: “Was own done?”"
    (change,) = compare(after, before)
    assert change_highlight(change).startswith(
        "“Was own done?”: 75% (3:4) of cases against 25% (1:4) at baseline, up 50 points"
    )
    with_finding = row.model_copy(update={"finding": "Own was done"})
    assert question_highlight(with_finding) == "Own was done: evidenced in 75% (3:4) of cases"


def test_the_report_holds_method_responses_figures_agreement_and_resolutions(
    session: Session, rounds: tuple[int, int]
) -> None:
    report = report_of(session, rounds[0])
    m = report.method
    assert (m.tool, m.seed, m.cases, m.sample_size, m.agencies) == (
        "domestic-abuse", 1, 4, 4, ["csc", "health", "police"],
    )  # fmt: skip
    assert m.criteria == {"flags": "domestic_abuse"}
    police = next(r for r in m.responses if r.agency == "police")
    assert (police.submitted, police.not_known, police.response_percent) == (3, 1, 100)
    assert police.on_time == 4
    assert [q.id for q in report.questions] == ["info_sharing", "chronology", "voice_of_child"]
    sharing = report.questions[0]
    assert sharing.case_level is not None and sharing.case_level.label == "50% (2:4)"
    assert {a: f.label for a, f in sharing.by_agency.items()} == {
        "csc": "75% (3:4)", "health": "33% (1:3)", "police": "67% (2:3)",
    }  # fmt: skip
    assert [a.id for a in report.agreement] == ["info_sharing", "chronology", "voice_of_child"]
    resolved = [d for d in report.discrepancies if d.resolved]
    assert [(d.case_ref, d.question_id, d.agreed) for d in resolved] == [
        ("C-0002", "info_sharing", "No")
    ]
    assert resolved[0].resolution is not None and SCRIPT in resolved[0].resolution
    assert report.concerns["total"] == 0 and report.not_known["police"] == 1
    assert report.actions == []  # the action plan module is there, with no actions yet


def test_html_and_markdown_escape_free_text_titles_and_resolutions(
    session: Session, rounds: tuple[int, int]
) -> None:
    report = report_of(session, rounds[1])
    html = render_html(report)
    markdown = render_markdown(report)
    for text in (html, markdown):
        assert "<script" not in text and "<b>" not in text and "<em>" not in text
        assert "&lt;script&gt;alert(&#39;x&#39;)" in text or "&lt;script&gt;alert('x')" in text
    assert "<svg" in html  # the charts are the only markup not from the templates
    assert r"\[link\](http://evil.example) \|" in markdown and r"\*bold\*" in markdown
    baseline = report_of(session, rounds[0])
    base = render_markdown(baseline)
    question = next(q for q in baseline.questions if q.id == "info_sharing")
    row = f"| C-0002 | {escape_markdown(question.finding or question.text)} |"
    assert "<script" not in base and row in base


def test_markdown_escaping_keeps_figures_readable_and_lines_single() -> None:
    assert escape_markdown("72% (13:18)") == "72% (13:18)"
    assert escape_markdown("a\n# b | c_d") == "a # b \\| c\\_d"


def test_the_action_plan_is_an_optional_list_and_says_when_there_is_none(
    session: Session, rounds: tuple[int, int]
) -> None:
    action = ActionItem(
        what="Agree MASH sharing <i>rules</i>", how="Workshop", owner="csc",
        due=NOW.date(), success_measure="80% on re-audit", status="approved",
    )  # fmt: skip
    with_plan = render_html(report_of(session, rounds[1], actions=[action]))
    assert (
        "Agree MASH sharing &lt;i&gt;rules&lt;/i&gt;" in with_plan
        and "80% on re-audit" in with_plan
    )
    without = report_of(session, rounds[1], load_plan=False)
    assert without.actions is None and "No action plan yet." in render_markdown(without)
