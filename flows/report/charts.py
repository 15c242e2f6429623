"""Bar charts as SVG built from escaped text, laid out with measured text widths so every
label and legend stays inside the view box; long charts split into one per question group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from markupsafe import escape

from flows.report.model import BoardReport, Chart, Figure, QuestionRow
from models.errors import ConfigurationError

COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#5694ca", "#912b88")
WIDTH, LEFT, ROW, GAP, FONT, TITLE_FONT = 640, 240, 20, 10, 12, 14
PAD = 2  # a glyph such as "T" reaches a pixel left of its x: the measured test caught it
MAX_HEIGHT = 640  # at 16 cm wide a taller chart would pass 6.5 inches in the DOCX
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@cache
def _font(size: int, bold: bool) -> object | None:
    try:
        from PIL import ImageFont

        return ImageFont.truetype(BOLD_FILE if bold else FONT_FILE, size)
    except (ImportError, OSError):
        return None


def text_width(text: str, size: int = FONT, bold: bool = False) -> float:
    """The width of text in DejaVu Sans (the charts' first font), or a generous estimate."""
    font = _font(size, bold)
    if font is None:
        return 0.68 * size * len(text)
    return float(font.getlength(text))  # type: ignore[attr-defined]


def wrap(
    text: str, width: float, size: int = FONT, lines: int = 3, bold: bool = False
) -> list[str]:
    """Words wrapped to at most `lines` lines of `width` pixels, the last cut with an ellipsis."""
    out: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if text_width(trial, size, bold) <= width or not current:
            current = trial
        else:
            out.append(current)
            current = word
    out.append(current)
    fitted = [_cut(line, width, size, bold) for line in out[:lines]]
    if len(out) > lines:
        fitted[-1] = _cut(fitted[-1] + " …", width, size, bold, force=True)
    return fitted


def _cut(line: str, width: float, size: int, bold: bool, force: bool = False) -> str:
    if text_width(line, size, bold) <= width and not force:
        return line
    while line and text_width(line.rstrip(" …") + "…", size, bold) > width:
        line = line[:-1]
    return line.rstrip(" …") + "…"


@dataclass(frozen=True)
class Series:
    """One colour of bars: a name for the legend and one figure per label."""

    name: str
    figures: Sequence[Figure | None]


def _legend(series: Sequence[Series], top: int) -> tuple[list[str], int]:
    """Legend swatches laid out in rows inside the width; returns the parts and the height."""
    if len(series) < 2:
        return [], 0
    parts, x, y = [], 0.0, top
    for s, item in enumerate(series):
        name = _cut(item.name, WIDTH - 20, FONT, False)
        needed = 16 + text_width(name) + 18
        if x and x + needed > WIDTH:
            x, y = 0.0, y + 18
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="12" height="12" '
            f'fill="{COLOURS[s % len(COLOURS)]}"/>'
            f'<text x="{x + 16:.0f}" y="{y + 11}">{escape(name)}</text>'
        )
        x += needed
    return parts, y + 18 - top + 6


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> tuple[str, int]:
    """Horizontal bars, one group per label and one bar per series, each bar "x% (n:d)";
    returns the SVG and its height."""
    title_lines = wrap(title, WIDTH - 2 * PAD, TITLE_FONT, lines=2, bold=True)
    parts = [
        f'<text x="{PAD}" y="{16 + 18 * i}" font-size="{TITLE_FONT}" font-weight="bold">'
        f"{escape(line)}</text>"
        for i, line in enumerate(title_lines)
    ]
    top = 18 * len(title_lines) + 8
    legend, legend_height = _legend(series, top)
    parts += legend
    top += legend_height
    widest = max(
        (text_width(f.label if f else "no data") for s in series for f in s.figures),
        default=60.0,
    )
    scale = (WIDTH - LEFT - widest - 8) / 100
    for i, label in enumerate(labels):
        lines = wrap(label, LEFT - 10 - PAD)
        group = max(ROW * len(series), 15 * len(lines))
        middle = top + group / 2
        first = middle - 15 * (len(lines) - 1) / 2 + 4
        parts += [
            f'<text x="{PAD}" y="{first + 15 * k:.0f}">{escape(line)}</text>'
            for k, line in enumerate(lines)
        ]
        for s, item in enumerate(series):
            fig = item.figures[i]
            y = top + s * ROW + (group - ROW * len(series)) / 2
            width = (fig.percent or 0) * scale if fig else 0
            parts.append(
                f'<rect x="{LEFT}" y="{y:.0f}" width="{width:.1f}" height="{ROW - 4}" '
                f'fill="{COLOURS[s % len(COLOURS)]}"/>'
                f'<text x="{LEFT + width + 4:.1f}" y="{y + ROW - 8:.0f}">'
                f"{escape(fig.label if fig else 'no data')}</text>"
            )
        top += group + GAP
    height = int(top + 4)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="{FONT}" role="img" aria-label="{escape(title)}">'
    )
    return head + "".join(parts) + "</svg>", height


def alt_text(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Every bar's figure in words, for readers who cannot see the chart."""
    items = []
    for i, label in enumerate(labels):
        figures = ", ".join(
            f"{s.name} {s.figures[i].label if s.figures[i] else 'no data'}"  # type: ignore[union-attr]
            if len(series) > 1
            else (s.figures[i].label if s.figures[i] else "no data")  # type: ignore[union-attr]
            for s in series
        )
        items.append(f"{label}: {figures}")
    return f"Bar chart, {title}. " + "; ".join(items) + "."


def _chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> list[Chart]:
    """One chart, or one per slice of labels when it would be taller than MAX_HEIGHT."""
    svg, height = bar_chart(title, labels, series)
    if height <= MAX_HEIGHT or len(labels) < 2:
        alt = alt_text(title, labels, series)
        opened = (
            svg.index(">") + 1
        )  # the alt text as the SVG's <title>: the PDF's figure tag uses it
        svg = f"{svg[:opened]}<title>{escape(alt)}</title>{svg[opened:]}"
        return [Chart(title=title, svg=svg, alt=alt, height=height)]
    half = len(labels) // 2
    return [
        chart
        for part, rows in ((1, slice(0, half)), (2, slice(half, None)))
        for chart in _chart(
            f"{title} (part {part})" if "(part" not in title else title,
            labels[rows],
            [Series(s.name, s.figures[rows]) for s in series],
        )
    ]


def wording(row: QuestionRow) -> str:
    """What a chart or table calls a question: the tool's finding, else its text."""
    return row.finding or row.text


def _groups(rows: Sequence[QuestionRow]) -> list[tuple[str, list[QuestionRow]]]:
    groups: dict[str, list[QuestionRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return list(groups.items())


def report_charts(report: BoardReport) -> list[Chart]:
    """Compliance per question, per agency (per question group when long), and baseline
    against re-audit when there is one."""
    charts: list[Chart] = []
    questions = report.questions
    names = report.agency_names
    if questions:
        charts += _chart(
            "Compliance per question (case level for shared questions)",
            [wording(q) for q in questions],
            [Series("compliance", [q.case_level or q.overall for q in questions])],
        )
        groups = _groups(questions)
        if len(groups) < 2 or not _too_tall(report):
            groups = [("", list(questions))]
        for group, rows in groups:
            title = "Compliance per question and agency" + (f": {group}" if group else "")
            charts += _chart(
                title,
                [wording(q) for q in rows],
                [
                    Series(names.get(a, a), [q.by_agency.get(a) for q in rows])
                    for a in report.agencies
                ],
            )
    if report.comparison and report.comparison.rows:
        rows_ = report.comparison.rows
        charts += _chart(
            "Case-level compliance: baseline against re-audit",
            [r.finding or r.text for r in rows_],
            [
                Series(
                    f"Baseline ({report.comparison.baseline_title})", [r.baseline for r in rows_]
                ),
                Series("Re-audit (this round)", [r.current for r in rows_]),
            ],
        )
    return charts


def _too_tall(report: BoardReport) -> bool:
    _, height = bar_chart(
        "Compliance per question and agency",
        [wording(q) for q in report.questions],
        [Series(a, [q.by_agency.get(a) for q in report.questions]) for a in report.agencies],
    )
    return height > MAX_HEIGHT


def svg_to_png(svg: str) -> bytes:
    """A PNG of an SVG chart (python-docx cannot embed SVG)."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        raise ConfigurationError(
            "DOCX charts need cairosvg and Cairo: `pip install cairosvg` and "
            f"`apt-get install -y libcairo2` ({error})"
        ) from None
    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=1280)
    return png
