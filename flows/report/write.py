"""Writing the board report's files: report.html, report.md (+ chart SVGs), .docx, .pdf."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flows.report.model import BoardReport
from flows.report.render import render_html, render_markdown
from models.errors import InputError

FORMATS = ("html", "md", "docx", "pdf")


def parse_formats(text: str) -> list[str]:
    """`html,md` -> ["html", "md"], refusing unknown formats."""
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown or not wanted:
        raise InputError(
            f"unknown report format {', '.join(unknown) or '(none)'}: choose from "
            + ", ".join(FORMATS)
        )
    return list(dict.fromkeys(wanted))


def report_stem(report: BoardReport) -> str:
    """The report files' common name: round-N-board-report."""
    return f"round-{report.round_id}-board-report"


def markdown_files(report: BoardReport) -> list[tuple[str, bytes]]:
    """The Markdown report and the chart SVGs it links to, as (file name, content)."""
    stem = report_stem(report)
    charts = [(f"{stem}-chart-{i}.svg", chart) for i, chart in enumerate(report.charts, start=1)]
    text = render_markdown(report, [(chart.title, name) for name, chart in charts])
    return [
        *((name, chart.svg.encode("utf-8")) for name, chart in charts),
        (f"{stem}.md", text.encode("utf-8")),
    ]


def write_report(report: BoardReport, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Write each format into out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report)
    written: list[Path] = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "html":
            path.write_text(render_html(report), encoding="utf-8")
        elif fmt == "md":
            for name, content in markdown_files(report):
                (out_dir / name).write_bytes(content)
                if name != path.name:
                    written.append(out_dir / name)
        elif fmt == "docx":
            from flows.report.docx import render_docx

            path.write_bytes(render_docx(report))
        elif fmt == "pdf":
            from flows.report.pdf import render_pdf

            path.write_bytes(render_pdf(report))
        else:
            raise InputError(f"unknown report format {fmt!r}")
        written.append(path)
    return written
