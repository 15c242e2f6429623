"""The board report as numbered sections, in the seed report's order: front sheet, 1. the
issue, 2. findings, 3. actions, 4. re-audit and impact, then the appendices."""

from __future__ import annotations

from collections import Counter

from flows.report.appendices import appendices
from flows.report.blocks import (
    Block,
    Bullets,
    ChartBlock,
    Document,
    Heading,
    Paragraph,
    Run,
    Table,
    bullets,
    markdown_lite,
    para,
)
from flows.report.charts import wording
from flows.report.impact import status_words
from flows.report.model import BoardReport, Chart, Highlight
from flows.report.reaudit import reaudit_section
from flows.report.words import (
    agreement_sentence,
    and_list,
    concerns_sentence,
    discrepancy_sentence,
    percent,
)
from models.calendar import long_day

FIGURES_NOTE = (
    "x% (n:d): n cases met the standard out of d where it applied; Not applicable and "
    "“not known to this agency” answers are left out, so the d differ between questions."
)
HALF_NOTE = (
    "Where the tool counts Partly as half met, a Partly answer adds half a case to n, so a "
    "figure such as 86% (65.5:76) means 65 cases met the standard and one more partly met it."
)


def chart_block(chart: Chart) -> ChartBlock:
    """A chart as a block."""
    return ChartBlock(chart.title, chart.svg, chart.alt or chart.title, chart.width, chart.height)


def commentary(report: BoardReport, section: str) -> list[Block]:
    """The coordinator's narrative for a section, if written."""
    text = report.commentary.get(section, "")
    return markdown_lite(text) if text else []


def _highlight_items(items: list[Highlight], reasons: bool) -> Bullets:
    lines = []
    for h in items:
        runs = [Run(h.statement + (f"; {h.reason}" if reasons else "") + ".")]
        if h.note:
            runs += [Run(" Coordinator's note: ", strong=True), Run(h.note)]
        lines.append(tuple(runs))
    return Bullets(tuple(lines))


def front_sheet(report: BoardReport) -> list[Block]:
    """The front sheet, as the seed's: report for, item, title, authorised by, lead, wards."""
    sheet = report.front_sheet
    if sheet is None:
        return [Heading(1, report.title, "title")]
    meeting = sheet.meeting + (f", {long_day(sheet.meeting_date)}" if sheet.meeting_date else "")
    rows = (
        ("Report for", meeting),
        ("Item number", sheet.item_number),
        ("Title", sheet.title),
        ("Report authorised by", sheet.authorised_by),
        ("Lead officer", sheet.lead_officer),
        ("Ward(s) affected", sheet.wards),
        ("Decision type", sheet.decision_type),
    )
    blocks: list[Block] = [
        Heading(1, sheet.title, "title", edit="front-sheet"),
        Table(None, tuple((k, v or "to be confirmed") for k, v in rows), css="front-sheet"),
    ]
    if report.provisional:
        blocks.append(
            para(
                "PROVISIONAL: the moderation meeting has not been recorded; case-level figures "
                "may change.",
                "provisional",
            )
        )
    return blocks


def issue(report: BoardReport) -> list[Block]:
    """1. The issue under consideration: purpose, how the audit was done, the register."""
    m = report.method
    reaudit = " and, as a re-audit, what changed since the baseline" if report.comparison else ""
    blocks: list[Block] = [
        Heading(2, "1. The issue under consideration", "issue", edit="issue"),
        *(
            commentary(report, "issue")
            or [
                para(
                    f"This report tells the board what the joint case audit “{report.title}” "
                    "found: how well agencies worked with the children and families in the "
                    "cases audited, how far their judgements agreed, and what the partnership "
                    f"will do about it{reaudit}."
                )
            ]
        ),
        Heading(3, "1.1 How the audit was done", "method"),
        *(para(line) for line in report.method_text),
        Table(
            ("Agency", "Cases", "Submitted", "Not known", "Outstanding", "Response rate",
             "By the due date"),
            tuple(
                (report.agency(a.agency), str(a.assignments), str(a.submitted),
                 str(a.not_known), str(a.outstanding), percent(a.response_percent),
                 f"{percent(a.on_time_percent)} ({a.on_time}:{a.assignments})")
                for a in m.responses
            ),
            caption="Response rates and timeliness",
            css="agencies",
        ),
    ]  # fmt: skip
    if report.register_context:
        blocks += [
            Heading(3, "1.2 The register at launch", "register"),
            Table(
                ("Category", "Children at launch", "At the previous round", "Change",
                 "In the sample"),
                tuple(
                    (r.category, r.at_launch, r.previous or "no earlier round", r.change or "",
                     r.in_sample)
                    for r in report.register_context
                ),
            ),
            para("Counts under 5 are shown as “fewer than 5”, as official statistics do.", "note"),
        ]  # fmt: skip
    return blocks


def _numbered(report: BoardReport) -> list[str]:
    return [f"Q{i}. {wording(q)}" for i, q in enumerate(report.questions, start=1)]


def findings(report: BoardReport) -> list[Block]:
    """2. Findings: chosen highlights, agreement in words, the figures and their charts."""
    moderated = (
        "Figures are provisional until the moderation meeting is recorded."
        if report.provisional
        else "Figures are as moderated."
    )
    m = report.method
    blocks: list[Block] = [
        Heading(2, "2. Findings", "findings", edit="findings"),
        *commentary(report, "findings"),
        para(
            f"{m.cases} cases were audited by {len(m.agencies)} agencies. {moderated} "
            f"Highlights below are the strongest and weakest findings; Appendix A lists the "
            "others."
        ),
        Heading(3, "2.1 Highlights: strengths", "strengths", edit="highlights"),
        _highlight_items(report.strengths, reasons=False)
        if report.strengths
        else para("No finding reached the level of a strength."),
        Heading(3, "2.2 Highlights: concerns", "concerns", edit="highlights"),
        _highlight_items(report.weaknesses, reasons=True)
        if report.weaknesses
        else para("No finding was under the tool's thresholds or among the lowest."),
    ]
    concerns = concerns_sentence(report.concerns)
    if concerns:
        blocks.append(para(concerns))
    blocks += [
        Heading(3, "2.3 Agreement between agencies", "agreement"),
        bullets([agreement_sentence(a) for a in report.agreement])
        if report.agreement
        else para("No shared question had answers from two or more agencies."),
    ]
    if report.discrepancy_summary is not None:
        blocks.append(para(discrepancy_sentence(report.discrepancy_summary)))
    if report.agreement:
        blocks.append(
            para("Appendix B gives the agreement coefficients with their intervals.", "note")
        )
    blocks += _figures(report)
    return blocks


def _figures(report: BoardReport) -> list[Block]:
    names = _numbered(report)
    charts = [chart_block(c) for c in report.charts]
    per_question = [c for c in charts if c.title.startswith("Compliance per question (")]
    per_agency = [c for c in charts if c.title.startswith("Compliance per question and")]
    blocks: list[Block] = [
        Heading(3, "2.4 Compliance per question", "questions"),
        Table(
            ("Question", "Case level (shared questions)", "All agencies' answers"),
            tuple(
                (
                    name,
                    (q.case_level.label + (" (provisional)" if q.provisional else ""))
                    if q.case_level
                    else "own practice",
                    q.overall.label,
                )
                for name, q in zip(names, report.questions, strict=True)
            ),
            css="questions",
        ),
        para(FIGURES_NOTE, "note"),
    ]
    if report.half_points:
        blocks.append(para(HALF_NOTE, "note"))
    blocks += per_question
    blocks += [
        Heading(3, "2.5 Compliance per agency", "agencies"),
        Table(
            ("Question", *(report.agency(a) for a in report.agencies)),
            tuple(
                (name, *(q.by_agency[a].label if a in q.by_agency else "" for a in report.agencies))
                for name, q in zip(names, report.questions, strict=True)
            ),
            css="questions",
        ),
        *per_agency,
        Heading(3, "2.6 Cases not known to an agency", "not-known"),
        para(
            "Not known to the agency: "
            + (
                and_list([f"{report.agency(a)} {n}" for a, n in report.not_known.items() if n])
                or "none"
            )
            + "."
        ),
    ]
    if report.comments:
        blocks.append(Heading(3, "2.7 What auditors said", "comments"))
        groups: dict[str, Counter[str]] = {}
        for c in report.comments:  # the same words on several cases are printed once
            groups.setdefault(c.question, Counter())[f"{report.agency(c.agency)}: {c.text}"] += 1
        for question, lines in groups.items():
            blocks += [
                Paragraph((Run(question, strong=True),)),
                bullets([line + (f" ({n} cases)" if n > 1 else "") for line, n in lines.items()]),
            ]
    return blocks


def actions(report: BoardReport) -> list[Block]:
    """3. Action plan: what, how, who leads, by when, the success measure and the status."""
    blocks: list[Block] = [
        Heading(2, "3. Action plan", "actions", edit="actions"),
        *commentary(report, "actions"),
    ]
    if not report.actions:
        return [*blocks, para("No action plan yet.")]
    return [
        *blocks,
        Table(
            ("What", "How", "Lead agency", "By when", "Success measure", "Status"),
            tuple(
                (a.what, a.how, report.agency(a.owner), long_day(a.due) if a.due else "",
                 a.success_measure, status_words(a.status))
                for a in report.actions
            ),
            css="actions",
        ),
    ]  # fmt: skip


def build_document(report: BoardReport) -> Document:
    """Every section of the report, in order."""
    sheet = report.front_sheet
    document = Document(
        title=sheet.title if sheet else report.title,
        author=report.partnership or "Safeguarding partnership",
    )
    document.add(*front_sheet(report))
    document.add(*issue(report))
    document.add(*findings(report))
    document.add(*actions(report))
    document.add(*reaudit_section(report, chart_block, commentary(report, "impact")))
    document.add(*appendices(report))
    document.add(
        para(
            f"Round {report.round_id} ({report.status}); report produced "
            f"{long_day(report.generated_on)}.",
            "note",
        )
    )
    return document
