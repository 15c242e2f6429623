"""Bar charts as SVG built from escaped text, and PNG copies for DOCX (cairosvg)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape

from flows.report.model import BoardReport, Chart, Figure
from models.errors import ConfigurationError

COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c")
ROW, BAR_GAP, LEFT, WIDTH = 22, 4, 190, 620


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Figure | None]]]
) -> str:
    """Horizontal bars, one group per label and one bar per series, each bar "x% (n:d)"."""
    group = ROW * len(series) + BAR_GAP * 2
    legend = 24 if len(series) > 1 else 0
    height = 30 + legend + group * len(labels) + 10
    scale = (WIDTH - LEFT - 110) / 100
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="12" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for s, (name, _) in enumerate(series):
        x = LEFT + s * 150
        parts.append(
            f'<rect x="{x}" y="26" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="37">{escape(name)}</text>'
            if legend
            else ""
        )
    for i, label in enumerate(labels):
        top = 30 + legend + i * group + BAR_GAP
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="0" y="{top + ROW * len(series) / 2 + 4:.0f}">{escape(short)}</text>'
        )
        for s, (_, figures) in enumerate(series):
            fig = figures[i]
            y = top + s * ROW
            width = (fig.percent or 0) * scale if fig else 0
            colour = COLOURS[s % len(COLOURS)]
            parts.append(
                f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{ROW - 4}" fill="{colour}"/>'
                f'<text x="{LEFT + width + 4:.1f}" y="{y + ROW - 8}">'
                f"{escape(fig.label if fig else 'no data')}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def report_charts(report: BoardReport) -> list[Chart]:
    """Compliance per question, per agency, and baseline against re-audit when there is one."""
    charts = []
    questions = report.questions
    if questions:
        title = "Compliance per question (case level for shared questions)"
        charts.append(
            Chart(
                title=title,
                svg=bar_chart(
                    title,
                    [q.id for q in questions],
                    [("compliance", [q.case_level or q.overall for q in questions])],
                ),
            )
        )
        title = "Compliance per question and agency"
        charts.append(
            Chart(
                title=title,
                svg=bar_chart(
                    title,
                    [q.id for q in questions],
                    [(a, [q.by_agency.get(a) for q in questions]) for a in report.agencies],
                ),
            )
        )
    if report.comparison and report.comparison.rows:
        rows = report.comparison.rows
        title = "Case-level compliance: baseline against re-audit"
        charts.append(
            Chart(
                title=title,
                svg=bar_chart(
                    title,
                    [r.id for r in rows],
                    [
                        (
                            f"baseline (round {report.comparison.baseline_round_id})",
                            [r.baseline for r in rows],
                        ),
                        (f"re-audit (round {report.round_id})", [r.current for r in rows]),
                    ],
                ),
            )
        )
    return charts


def svg_to_png(svg: str) -> bytes:
    """A PNG of an SVG chart (python-docx cannot embed SVG)."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        raise ConfigurationError(
            "DOCX charts need cairosvg and Cairo: `pip install cairosvg` and "
            f"`apt-get install -y libcairo2` ({error})"
        ) from None
    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=1240)
    return png
