"""Writing the quarterly review as HTML, Markdown and DOCX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document

from flows.programme.review import QuarterlyReview
from flows.report.render import html_environment, markdown_environment

FORMATS = ("html", "md", "docx")


def render_review_docx(review: QuarterlyReview) -> bytes:
    """The review as a Word document (plain text cells: nothing is interpreted)."""
    document = Document()
    document.add_heading(f"Joint audit programme: quarterly review {review.quarter}", level=0)
    document.add_paragraph(
        f"{review.start:%d %B %Y} to {review.end:%d %B %Y}, for the quality assurance subgroup."
    )
    sections: list[tuple[str, tuple[str, ...], list[tuple[object, ...]]]] = [
        (
            "Rounds done and due",
            ("Date", "Round", "Title", "State"),
            [
                (x.on.strftime("%d %B %Y"), x.round_id or "", x.title, x.state)
                for x in review.rounds
            ],
        ),
        (
            "Responses per agency",
            ("Agency", "Cases", "Answered", "On time"),
            [(a.name, a.assignments, a.answered, a.on_time) for a in review.agencies],
        ),
        (
            "Agreement between agencies (Landis and Koch's words)",
            ("Round", "Question", "Agreement"),
            [(a.round_id, a.question, a.reading) for a in review.agreement],
        ),
        (
            "Open and overdue actions",
            ("#", "Round", "What", "Lead", "By", ""),
            [
                (
                    a.action_id,
                    a.round_id,
                    a.what,
                    a.owner_name or "",
                    a.due_date or "",
                    "overdue" if a.overdue else "",
                )
                for a in review.actions
            ],
        ),
        (
            "Themes that got worse at re-audit",
            ("Round", "Tool", "Question", "Baseline", "Re-audit", "Change"),
            [
                (w.round_id, w.tool_title, w.question, w.baseline, w.current, w.change_points)
                for w in review.worse
            ],
        ),
    ]
    for title, header, rows in sections:
        document.add_heading(title, level=1)
        table = document.add_table(rows=1, cols=len(header))
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_review(review: QuarterlyReview, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Write the review in each format; returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"quarterly-review-{review.quarter}"
    written = []
    for kind in formats:
        path = stem.with_suffix(f".{kind}")
        if kind == "html":
            path.write_text(
                html_environment().get_template("review.html.j2").render(r=review), encoding="utf-8"
            )
        elif kind == "md":
            path.write_text(
                markdown_environment().get_template("review.md.j2").render(r=review),
                encoding="utf-8",
            )
        else:
            path.write_bytes(render_review_docx(review))
        written.append(path)
    return written
