"""The board report as a Word document (python-docx) from the same sections: A4, the
partnership as author, header rows repeated on every page, charts as PNG with alt text and
never taller than 6.5 inches."""

from __future__ import annotations

import io

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from flows.report.blocks import (
    Block,
    Bullets,
    ChartBlock,
    Heading,
    PageBreak,
    Paragraph,
    Run,
    Table,
)
from flows.report.charts import svg_to_png
from flows.report.model import BoardReport
from flows.report.sections import build_document
from flows.report.writers import clean

CHART_WIDTH = Cm(16)
MAX_CHART_HEIGHT = Inches(6.5)


def _runs(paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        added = paragraph.add_run(clean(run.text))
        added.bold = run.strong or None
        added.italic = run.emphasis or None


def _repeat_header(row_element: object) -> None:
    properties = row_element.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _field(paragraph: DocxParagraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _table(document: DocxDocument, block: Table) -> None:
    if block.caption:
        document.add_paragraph().add_run(clean(block.caption)).bold = True
    columns = len(block.header) if block.header is not None else len(block.rows[0])
    rows = ([block.header] if block.header is not None else []) + list(block.rows)
    table: DocxTable = document.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, (cell, value) in enumerate(zip(table.rows[r].cells, values, strict=True)):
            cell.text = clean(value)
            bold = (r == 0 and block.header is not None) or (block.header is None and c == 0)
            for run in cell.paragraphs[0].runs:
                run.bold = bold or None
                run.font.size = Pt(9)
    if block.header is not None:
        _repeat_header(table.rows[0]._tr)


def _chart(document: DocxDocument, block: ChartBlock) -> None:
    width: int = CHART_WIDTH
    if block.height and block.width:
        height = int(width * block.height / block.width)
        if height > MAX_CHART_HEIGHT:
            width = int(MAX_CHART_HEIGHT * block.width / block.height)
    document.add_picture(io.BytesIO(svg_to_png(block.svg)), width=width)
    shape = document.inline_shapes[-1]
    properties = shape._inline.docPr
    properties.set("descr", clean(block.alt))
    properties.set("title", clean(block.title))
    document.add_paragraph(clean(block.title), style="Caption")


def add_block(document: DocxDocument, block: Block) -> None:
    """One block into the document."""
    if isinstance(block, Heading):
        document.add_heading(clean(block.text), level=max(0, block.level - 1))
    elif isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        _runs(paragraph, block.runs)
        if block.style in ("note", "caution"):
            for run in paragraph.runs:
                run.italic = True
                run.font.size = Pt(9)
        elif block.style == "provisional":
            for run in paragraph.runs:
                run.bold = True
    elif isinstance(block, Bullets):
        style = "List Number" if block.numbered else "List Bullet"
        for item in block.items:
            _runs(document.add_paragraph(style=style), item)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, ChartBlock):
        _chart(document, block)
    else:
        assert isinstance(block, PageBreak)
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def render_docx(report: BoardReport) -> bytes:
    """The report as .docx bytes."""
    built = build_document(report)
    document = new_document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    document.core_properties.title = clean(built.title)
    document.core_properties.author = clean(built.author)
    document.core_properties.last_modified_by = clean(built.author)
    document.core_properties.language = "en-GB"
    footer = section.footer.paragraphs[0]
    footer.add_run(clean(built.title) + "\t\tPage ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    for block in built.blocks:
        add_block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
