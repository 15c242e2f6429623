"""Printing the report's blocks as HTML (escaped) and Markdown (escaped)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from markupsafe import escape

from flows.report.blocks import (
    Block,
    Bullets,
    ChartBlock,
    Document,
    Heading,
    PageBreak,
    Paragraph,
    Run,
    Table,
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

EditLink = Callable[[Heading], str]


def clean(text: str) -> str:
    """Text without control characters (XML, DOCX and XLSX refuse them)."""
    return _CONTROL.sub("", text)


def escape_markdown(value: object) -> str:
    """A value safe inside a Markdown line or table cell: no HTML, links, emphasis or pipes."""
    text = clean(str(value)) if value is not None else ""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def _html_runs(runs: Iterable[Run]) -> str:
    out = []
    for run in runs:
        text = str(escape(clean(run.text)))
        if run.strong:
            text = f"<strong>{text}</strong>"
        if run.emphasis:
            text = f'<i class="emphasis">{text}</i>'
        out.append(text)
    return "".join(out)


def _html_table(table: Table) -> str:
    css = f' class="{table.css}"' if table.css else ""
    parts = [f"<table{css}>"]
    if table.caption:
        parts.append(f"<caption>{escape(clean(table.caption))}</caption>")
    if table.header is not None:
        cells = "".join(f'<th scope="col">{escape(clean(h))}</th>' for h in table.header)
        parts.append(f"<thead><tr>{cells}</tr></thead>")
    parts.append("<tbody>")
    for row in table.rows:
        cells = "".join(
            f'<th scope="row">{escape(clean(v))}</th>'
            if i == 0 and table.header is None
            else f"<td>{escape(clean(v))}</td>"
            for i, v in enumerate(row)
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def html_block(block: Block, edit_link: EditLink | None = None) -> str:
    """One block as HTML; the chart's SVG is the only markup not escaped here (charts.py
    builds it from escaped text)."""
    if isinstance(block, Heading):
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        link = edit_link(block) if edit_link and block.edit else ""
        return f"<h{block.level}{anchor}>{escape(clean(block.text))}</h{block.level}>{link}"
    if isinstance(block, Paragraph):
        return f'<p class="{block.style}">{_html_runs(block.runs)}</p>'
    if isinstance(block, Bullets):
        tag = "ol" if block.numbered else "ul"
        items = "".join(f"<li>{_html_runs(item)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, ChartBlock):
        return (
            f'<figure class="chart">{block.svg}'
            f"<figcaption>{escape(clean(block.title))}</figcaption></figure>"
        )
    return '<div class="page-break"></div>'


def html_body(document: Document, edit_link: EditLink | None = None) -> str:
    """Every block as HTML, one per line."""
    return "\n".join(html_block(b, edit_link) for b in document.blocks) + "\n"


def _md_runs(runs: Iterable[Run]) -> str:
    out = []
    for run in runs:
        text = escape_markdown(run.text)
        if run.strong and text.strip():
            text = f"**{text}**"
        if run.emphasis and text.strip():
            text = f"*{text}*"
        out.append(text)
    return "".join(out)


def _md_table(table: Table) -> list[str]:
    # A label/value table's first row is its Markdown header: no empty first row.
    header, rows = (table.header, table.rows) if table.header else (table.rows[0], table.rows[1:])
    lines = [f"Table: {escape_markdown(table.caption)}", ""] if table.caption else []
    lines += [
        "| " + " | ".join(escape_markdown(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in rows:
        lines.append("| " + " | ".join(escape_markdown(v) for v in row) + " |")
    return lines


def markdown_block(block: Block, chart_file: Callable[[ChartBlock], str] | None) -> list[str]:
    """One block as Markdown lines (charts link to their SVG file, when there is one)."""
    if isinstance(block, Heading):
        return ["#" * block.level + " " + escape_markdown(block.text)]
    if isinstance(block, Paragraph):
        text = _md_runs(block.runs)
        return [f"*{text}*" if block.style in ("note", "caution") and text else text]
    if isinstance(block, Bullets):
        return [
            (f"{i}. " if block.numbered else "- ") + _md_runs(item)
            for i, item in enumerate(block.items, start=1)
        ]
    if isinstance(block, Table):
        return _md_table(block)
    if isinstance(block, ChartBlock):
        name = chart_file(block) if chart_file else ""
        alt = escape_markdown(block.alt)
        return [f"![{alt}]({name})", "", escape_markdown(block.title)] if name else []
    assert isinstance(block, PageBreak)
    return []


def markdown(document: Document, chart_file: Callable[[ChartBlock], str] | None = None) -> str:
    """The document as Markdown, blocks separated by blank lines."""
    out = []
    for block in document.blocks:
        lines = markdown_block(block, chart_file)
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
