"""The board report as a Word document (python-docx), charts embedded as PNG."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Cm

from flows.report.charts import svg_to_png
from flows.report.model import BoardReport
from flows.report.render import clean, percent
from models.calendar import long_day


def _table(document: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = clean("" if value is None else str(value))


def _bullets(document: DocxDocument, lines: Sequence[str]) -> None:
    for line in lines:
        document.add_paragraph(clean(line), style="List Bullet")


def _method(document: DocxDocument, report: BoardReport) -> None:
    m = report.method
    document.add_heading("Method", level=1)
    criteria = "; ".join(f"{k}: {v}" for k, v in m.criteria.items()) or "none"
    strata = ", ".join(f"{name} {n}" for name, n in m.strata)
    held = long_day(m.moderation_held_on) if m.moderation_held_on else "not yet held"
    _table(
        document,
        ("", ""),
        [
            ("Tool", f"{m.tool}, version {m.tool_version}"),
            ("Selection criteria", criteria),
            ("Random seed", m.seed),
            (
                "Sample",
                f"{m.cases} cases (sample size {m.sample_size}){': ' + strata if strata else ''}",
            ),
            ("Agencies", ", ".join(m.agencies)),
            ("Due date", long_day(m.due_date)),
            ("Moderation meeting", held),
        ],
    )
    if report.register_context:
        document.add_heading("The register at launch", level=2)
        _table(
            document,
            ("Category", "At launch", "Previous round", "Change", "In the sample"),
            [
                (
                    row.category,
                    row.at_launch,
                    row.previous or "no earlier round",
                    row.change or "",
                    row.in_sample,
                )
                for row in report.register_context
            ],
        )
    document.add_heading("Response rates and timeliness", level=2)
    _table(
        document,
        (
            "Agency",
            "Cases",
            "Submitted",
            "Not known",
            "Outstanding",
            "Response rate",
            "By due date",
        ),
        [
            (
                a.agency,
                a.assignments,
                a.submitted,
                a.not_known,
                a.outstanding,
                percent(a.response_percent),
                f"{percent(a.on_time_percent)} ({a.on_time}:{a.assignments})",
            )
            for a in m.responses
        ],
    )


def _figures(document: DocxDocument, report: BoardReport) -> None:
    document.add_heading("Compliance per question", level=1)
    _table(
        document,
        ("Question", "Case level", "All agencies"),
        [
            (
                f"{q.id}: {q.text}",
                (q.case_level.label + (" (provisional)" if q.provisional else ""))
                if q.case_level
                else "own practice",
                q.overall.label,
            )
            for q in report.questions
        ],
    )
    document.add_heading("Compliance per agency", level=1)
    _table(
        document,
        ("Question", *report.agencies),
        [
            (q.id, *(q.by_agency[a].label if a in q.by_agency else "" for a in report.agencies))
            for q in report.questions
        ],
    )
    document.add_heading("Agreement between agencies (shared questions)", level=1)
    _table(
        document,
        ("Question", "n cases", "Percent agreement", "Gwet's AC1", "Krippendorff's alpha"),
        [(a.id, a.n_units, a.percent_agreement, a.gwet_ac1, a.alpha) for a in report.agreement],
    )
    document.add_heading("Discrepancies and their resolution", level=1)
    _table(
        document,
        ("Case", "Question", "Answers", "Agreed answer", "Resolution"),
        [
            (
                d.case_ref,
                d.question_id,
                d.answers,
                d.agreed or ("resolved" if d.resolved else "not yet resolved"),
                d.resolution or "",
            )
            for d in report.discrepancies
        ],
    )


def _later(document: DocxDocument, report: BoardReport) -> None:
    c = report.concerns
    document.add_heading("Immediate concerns", level=1)
    document.add_paragraph(
        f"{c.get('total', 0)} raised while auditing: {c.get('raised', 0)} awaiting "
        f"acknowledgement, {c.get('acknowledged', 0)} acknowledged, {c.get('referred', 0)} "
        "referred."
    )
    if report.comparison:
        cmp = report.comparison
        document.add_heading("Re-audit against the baseline", level=1)
        note = f" No comparison: {cmp.note}." if cmp.note else ""
        document.add_paragraph(
            clean(f"Baseline: round {cmp.baseline_round_id}, {cmp.baseline_title}.{note}")
        )
        _table(
            document,
            ("Question", "Baseline", "Re-audit", "Change (points)", "Direction", "Caution"),
            [
                (
                    r.id,
                    r.baseline.label,
                    r.current.label,
                    f"{r.change_points:+d}",
                    r.direction,
                    r.caution or "",
                )
                for r in cmp.rows
            ],
        )
    document.add_heading("Action plan", level=1)
    if report.actions:
        _table(
            document,
            ("What", "How", "Lead agency", "By when", "Success measure", "Status"),
            [
                (
                    a.what,
                    a.how,
                    a.owner or "",
                    long_day(a.due) if a.due else "",
                    a.success_measure,
                    a.status,
                )
                for a in report.actions
            ],
        )
    else:
        document.add_paragraph("No action plan yet.")
    if report.comments:
        document.add_heading("What auditors said", level=1)
        _bullets(document, [f"{c.question_id} ({c.agency}): {c.text}" for c in report.comments])
    if report.charts:
        document.add_heading("Charts", level=1)
        for chart in report.charts:
            document.add_picture(io.BytesIO(svg_to_png(chart.svg)), width=Cm(16))
            document.add_paragraph(clean(chart.title))


def render_docx(report: BoardReport) -> bytes:
    """The report as .docx bytes."""
    document = Document()
    document.core_properties.title = clean(f"Board report: {report.title}")
    document.add_heading(clean(report.title), level=0)
    document.add_paragraph(
        f"Joint case audit board report, round {report.round_id} ({report.status}), produced "
        f"{long_day(report.generated_on)}."
    )
    if report.provisional:
        document.add_paragraph().add_run(
            "PROVISIONAL: the moderation meeting has not been recorded; case-level figures "
            "may change."
        ).bold = True
    document.add_heading("Summary", level=1)
    _bullets(document, report.summary)
    document.add_heading("Highlights", level=1)
    _bullets(document, report.highlights)
    _method(document, report)
    _figures(document, report)
    _later(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
