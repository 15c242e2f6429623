"""Each section of the board report, checked on the hand-computed fixture in all four formats."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from flows.reconcile.shared import ordinal_agreement
from flows.report.data import build_report
from flows.report.highlights import choose
from flows.report.model import BoardReport, Figure, QuestionRow
from flows.report.settings import set_report_texts, text_history
from flows.report.write import write_report
from models.agency import Agency
from models.audit_log import AuditEvent
from models.questionnaire.catalog import load_tool
from models.settings import Settings
from tests.builders import NOW
from tests.flows.test_report_fixtures import (
    CHRONOLOGY_ACTION,
    QUESTIONS,
    SCRIPT,
    baseline_and_reaudit,
    baseline_plan,
)

SECTIONS = (
    "1. The issue under consideration",
    "1.1 How the audit was done",
    "2. Findings",
    "2.1 Highlights: strengths",
    "2.2 Highlights: concerns",
    "2.3 Agreement between agencies",
    "2.4 Compliance per question",
    "2.5 Compliance per agency",
    "3. Action plan",
    "4. Re-audit and impact",
    "4.1 What changed since the baseline",
    "4.2 The baseline's actions",
    "4.3 What the board should ask next",
    "Appendix A: Other findings",
    "Appendix B: Agreement coefficients",
    "Appendix C: Method details",
    "Appendix D: Discrepancies in full",
)


def texts(report: BoardReport, out: Path) -> dict[str, str]:
    """The report's words in each format: HTML and Markdown source, DOCX and PDF text."""
    from docx import Document
    from pypdf import PdfReader

    written = {p.suffix: p for p in write_report(report, out, ["html", "md", "docx", "pdf"])}
    document = Document(str(written[".docx"]))
    docx = [p.text for p in document.paragraphs]
    docx += [c.text for t in document.tables for row in t.rows for c in row.cells]
    pdf = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(written[".pdf"].read_bytes())).pages
    )
    html = re.sub(r"<svg.*?</svg>", "", written[".html"].read_text(encoding="utf-8"), flags=re.S)
    return {
        "html": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'"),
        "md": written[".md"].read_text(encoding="utf-8"),
        "docx": "\n".join(docx),
        # a line may break after the hyphen of "multi-agency": join it again
        "pdf": re.sub(r"(?<=\w-) (?=[a-z])", "", re.sub(r"\s+", " ", pdf)),
    }


@pytest.fixture
def reaudit(session: Session, settings: Settings, tmp_path: Path) -> tuple[int, int]:
    base, again = baseline_and_reaudit(session, settings, tmp_path)
    baseline_plan(session, base)
    set_report_texts(
        session=session, round_id=None, now=NOW, actor="c",
        values={"lead_officer": "Myra O'Farrell, Assistant Director", "wards": "All wards"},
    )  # fmt: skip
    set_report_texts(
        session=session, round_id=again, now=NOW, actor="c",
        values={
            "meeting": "Joint Meeting of the Safeguarding Partnership Board",
            "meeting_date": "2027-03-06",
            "item_number": "7",
            "authorised_by": "Lisa Redfern, Director of Children's Services",
            "findings": f"Agencies *shared* well.\n\n- first point\n- second {SCRIPT}",
            "highlight:voice_of_child": "Training is booked <b>now</b>",
        },
    )  # fmt: skip
    session.commit()
    return base, again


def test_every_numbered_section_is_in_all_four_formats_in_order(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[1], today=NOW.date())
    for fmt, text in texts(report, tmp_path / "out").items():
        at = [text.find(title) for title in SECTIONS]
        assert -1 not in at, (fmt, [t for t, i in zip(SECTIONS, at, strict=True) if i < 0])
        assert at == sorted(at), fmt


def test_the_front_sheet_takes_the_rounds_fields_then_the_partnerships_defaults(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[1], today=NOW.date())
    sheet = report.front_sheet
    assert sheet is not None
    assert (sheet.item_number, sheet.lead_officer, sheet.wards, sheet.decision_type) == (
        "7", "Myra O'Farrell, Assistant Director", "All wards", "Non-key decision",
    )  # fmt: skip
    for fmt, text in texts(report, tmp_path / "out").items():
        assert "Joint Meeting of the Safeguarding Partnership Board, 6 March 2027" in text, fmt
        assert "Lisa Redfern, Director of Children" in text and "Item number" in text, fmt
    baseline = build_report(session=session, round_id=reaudit[0], today=NOW.date())
    assert baseline.front_sheet is not None
    assert baseline.front_sheet.meeting == "Testshire Safeguarding Children Partnership board"
    assert baseline.front_sheet.item_number == "" and baseline.front_sheet.wards == "All wards"


def test_highlights_are_chosen_and_ranked_and_no_question_is_listed_twice(
    session: Session, reaudit: tuple[int, int]
) -> None:
    base = build_report(session=session, round_id=reaudit[0], today=NOW.date(), charts=False)
    assert [h.question_id for h in base.strengths] == ["chronology"]
    assert [h.question_id for h in base.weaknesses] == ["info_sharing", "voice_of_child"]
    assert base.weaknesses[0].reason == (
        "under the tool's action threshold of 80%; agencies disagreed on 2 of 3 cases"
    )
    again = build_report(session=session, round_id=reaudit[1], today=NOW.date(), charts=False)
    assert [c.id for c in again.improvements] == ["info_sharing"]
    assert [c.id for c in again.deteriorations] == ["chronology"]
    assert [h.question_id for h in again.weaknesses] == ["voice_of_child"]
    assert again.strengths == [] and again.other_findings == []
    assert again.weaknesses[0].note == "Training is booked <b>now</b>"


def test_no_agency_code_or_question_id_appears_anywhere_in_the_report(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    codes = list(session.exec(select(Agency.code)))
    baseline = build_report(session=session, round_id=reaudit[0], today=NOW.date())
    assert baseline.discrepancies, "the baseline's Appendix D has rows to scan"
    again = build_report(session=session, round_id=reaudit[1], today=NOW.date())
    for report in (baseline, again):
        for fmt, text in texts(report, tmp_path / str(report.round_id)).items():
            assert "Appendix D: Discrepancies in full" in text, fmt
            body = text.replace("\\_", "_")
            for name in report.agency_names.values():
                body = body.replace(name, "")
            for q in report.questions:
                body = body.replace(q.finding or "", "").replace(q.text, "")
            for code in [*codes, *QUESTIONS]:
                assert not re.search(rf"\b{re.escape(code)}\b", body), (fmt, code)


def test_the_reaudit_gives_each_baseline_action_its_status_updates_and_measure(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[1], today=NOW.date())
    assert report.impact is not None
    outcomes = {o.success_measure: o for o in report.impact.outcomes}
    info = outcomes["Re-audit finds good information sharing on at least 80% of cases"]
    assert (info.status, info.met, info.verdict) == (
        "done", True, "met at 100% (4:4) (at least 80% wanted)",
    )  # fmt: skip
    assert [(u.on.isoformat(), u.status, u.note) for u in info.updates] == [
        ("2026-12-25", "done", "Front door protocol agreed")
    ]
    voice = outcomes["At least 75% of cases at re-audit"]
    assert (voice.status, voice.met) == ("on track", False)
    assert voice.verdict == "not met: 50% (2:4) against at least 75%"
    chronology = outcomes["Q2 at least 90% of cases"]
    assert chronology.what == CHRONOLOGY_ACTION
    assert chronology.verdict == "not met: 75% (3:4) against at least 90%"
    agree = [o for o in report.impact.outcomes if o.what.startswith("Agree between agencies")]
    assert len(agree) == 2 and all(o.met is None and "no threshold" in o.verdict for o in agree)
    assert report.impact.asks == [
        "4 of the baseline's 5 actions are not done (leads: Csc agency): when will they be, "
        "and what is holding them up?",
        "2 actions have a success measure the re-audit cannot check: how will the partnership "
        "know whether they worked?",
    ]
    for fmt, text in texts(report, tmp_path / "out").items():
        assert "met at 100% (4:4)" in text and "Front door protocol agreed" in text, fmt
        assert "not met: 75% (3:4) against at least 90%" in text, fmt


def test_commentary_is_versioned_audited_and_escaped_in_every_format(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    again = reaudit[1]
    set_report_texts(
        session=session, round_id=again, values={"findings": "Agencies **shared** well."},
        now=NOW, actor="c",
    )  # fmt: skip
    session.commit()
    versions = text_history(session=session, round_id=again, field="findings")
    assert [v.version for v in versions] == [1, 2]
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "report.text_changed")
    ).all()
    assert len(events) == 3 and SCRIPT not in str([e.details for e in events])
    report = build_report(session=session, round_id=again, today=NOW.date())
    found = texts(report, tmp_path / "out")
    assert "Agencies **shared** well." in found["md"]
    assert "<strong>shared</strong>" in (tmp_path / "out" / "round-2-board-report.html").read_text()
    for fmt, text in found.items():
        assert "Training is booked" in text, fmt
    html = (tmp_path / "out" / "round-2-board-report.html").read_text(encoding="utf-8")
    assert "Training is booked &lt;b&gt;now&lt;/b&gt;" in html and "<b>" not in html
    assert "Training is booked &lt;b&gt;now&lt;/b&gt;" in found["md"]
    assert "&lt;script&gt;" in html and "<script" not in html


def test_agreement_is_in_words_and_the_discrepancies_summarised_in_the_body(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[0], today=NOW.date())
    found = texts(report, tmp_path / "out")
    for fmt, text in found.items():
        assert "agencies gave the same answer on 33% of cases (1 of 3)" in text, fmt
        assert "Agencies gave different answers 4 times across 2 cases" in text, fmt
        assert "resolved 1 of the 4" in text, fmt
        body = text[: text.index("Appendix A")]
        assert "Gwet" not in body and "C-0002" not in body, fmt
        assert "Gwet's AC1" in text[text.index("Appendix B") :], fmt


def test_the_half_point_footnote_is_there_only_where_partly_counts_half(
    session: Session, reaudit: tuple[int, int]
) -> None:
    from flows.report.render import render_markdown

    report = build_report(session=session, round_id=reaudit[0], today=NOW.date(), charts=False)
    assert not report.half_points and "half a case" not in render_markdown(report)
    halved = report.model_copy(update={"half_points": True})
    assert "a Partly answer adds half a case" in render_markdown(halved)


def _row(qid: str, met: int, threshold: int | None = None) -> QuestionRow:
    figure = Figure(percent=round(100 * met / 20), met=met, applicable=20, label=f"{met}:20")
    return QuestionRow(
        id=qid, text=f"Was {qid} done?", finding=f"{qid} was done", shared=True,
        provisional=False, threshold=threshold, case_level=figure, overall=figure, by_agency={},
    )  # fmt: skip


def test_five_strengths_and_five_concerns_are_chosen_and_the_rest_kept_for_the_appendix() -> None:
    rows = [_row(f"q{i}", met) for i, met in enumerate((20, 19, 18, 17, 16, 15, 14))]
    rows += [_row("t1", 16, threshold=85), _row("t2", 17, threshold=90)]  # 80% and 85%: under
    rows += [_row(f"low{i}", met) for i, met in enumerate((13, 10, 5))]  # 65%, 50%, 25%
    rows += [_row("split", 19)]  # 95%, but agencies disagreed on 6 of 10 cases
    strengths, concerns, rest = choose(rows, {"split": (6, 10)}, {"q0": "Well done"})
    assert [h.question_id for h in strengths] == ["q0", "q1", "q2", "q3", "q4"]
    assert strengths[0].note == "Well done"
    assert [h.question_id for h in concerns] == ["t1", "t2", "low2", "low1", "low0"]
    assert concerns[0].reason == "under the tool's action threshold of 85%"
    assert [(h.question_id, h.kind) for h in rest] == [
        ("q5", "strength"), ("q6", "strength"), ("split", "concern"),
    ]  # fmt: skip
    assert rest[2].reason == "agencies disagreed on 6 of 10 cases"
    top_two = choose(rows, {}, {}, top=2)
    assert [len(top_two[0]), len(top_two[1])] == [2, 2]
    assert choose(rows, {}, {}, exclude={"q0", "t1"})[0][0].question_id == "q1"


def test_the_chosen_highlights_are_printed_in_every_format(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[0], today=NOW.date())
    for fmt, text in texts(report, tmp_path / "out").items():
        strengths = text[text.index("2.1 Highlights: strengths") : text.index("2.2 Highlights")]
        concerns = text[text.index("2.2 Highlights: concerns") : text.index("2.3 Agreement")]
        assert "An up-to-date multi-agency chronology or genogram informed decisions: " in (
            strengths
        ), fmt
        assert "evidenced in 100% (4:4) of cases" in strengths, fmt
        assert "evidenced in 50% (2:4) of cases" in concerns, fmt
        assert "under the tool's action threshold of 80%" in concerns, fmt
        assert "agencies disagreed on 2 of 3 cases" in concerns, fmt


def test_agreement_beyond_chance_is_read_in_landis_and_kochs_words_in_every_format(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[1], today=NOW.date())
    read = [row.beyond_chance for row in report.agreement if row.beyond_chance]
    assert read, "the fixture has a computable coefficient"
    bands = ("poor", "slight", "fair", "moderate", "substantial", "almost perfect")
    assert all(re.match(rf"agreement beyond chance was ({'|'.join(bands)}) \(AC", r) for r in read)
    for fmt, text in texts(report, tmp_path / "out").items():
        body = text[: text.index("Appendix A: Other findings")]
        assert read[0].split(" (")[0] in body, fmt
        assert "Landis and Koch" in text[text.index("Appendix B: Agreement coefficients") :], fmt


def test_each_shared_question_names_ac2_for_an_ordered_scale_and_ac1_otherwise(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[1], today=NOW.date())
    tool = load_tool("domestic-abuse")  # the fixture's rounds audit with it
    expected = {
        row.id: "Gwet's AC2" if ordinal_agreement(tool.question(row.id)) else "Gwet's AC1"
        for row in report.agreement
    }
    assert set(expected.values()) == {"Gwet's AC1", "Gwet's AC2"}, "the fixture has both kinds"
    assert {row.id: row.coefficient for row in report.agreement} == expected
    for row in report.agreement:
        if row.beyond_chance:
            short = expected[row.id].removeprefix("Gwet's ")
            assert f"({short} " in row.beyond_chance, row.id
    for fmt, text in texts(report, tmp_path / "out").items():
        appendix = text[text.index("Appendix B: Agreement coefficients") :]
        assert "Gwet's AC1" in appendix.replace("\u2019", "'"), fmt
        assert "Gwet's AC2" in appendix.replace("\u2019", "'"), fmt


def test_a_named_cases_round_is_marked_as_named_in_the_method_and_its_appendix(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    from flows.reconcile.run import reconcile_round
    from flows.rounds.launch import launch_round
    from tests.builders import import_register, launch_parameters, load_agencies, register_of

    load_agencies(session=session, tmp_path=tmp_path)
    import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 4}))
    named = launch_round(
        session=session,
        params=launch_parameters(sample_size=2, named_cases=True),
        seed=1,
        idempotency_key="named",
        now=NOW,
        actor="c",
        settings=settings,
        case_list="C-0002\nC-0004",
    ).round_id
    session.commit()
    reconcile_round(session=session, round_id=named, now=NOW, actor="c")
    report = build_report(session=session, round_id=named, today=NOW.date())
    assert report.method.named_cases
    assert report.method_text[0].startswith("The 2 cases were named for an inspection")
    for fmt, text in texts(report, tmp_path / "out").items():
        assert "named for an inspection, not chosen at random" in text, fmt
        assert "Named cases (inspection)" in text and "Random seed" not in text, fmt
        assert "none: the cases were named" in text and "domestic_abuse" not in text, fmt


def test_the_method_is_in_plain_words_and_the_seed_and_version_only_in_the_appendix(
    session: Session, reaudit: tuple[int, int], tmp_path: Path
) -> None:
    report = build_report(session=session, round_id=reaudit[0], today=NOW.date())
    chosen = (
        "4 cases were chosen at random from 4 with a domestic abuse flag; the selection can be "
        "repeated exactly."
    )
    assert report.method_text[0] == chosen
    for fmt, text in texts(report, tmp_path / "out").items():
        body = text[: text.index("Appendix A: Other findings")]
        assert chosen in body, fmt
        assert "Random seed" not in body and report.method.tool_version not in body, fmt
        appendix = text[text.index("Appendix C: Method details") :]
        assert "Random seed" in appendix and report.method.tool_version in appendix, fmt
