"""The report's charts and documents: text measured inside every SVG, long charts split, DOCX
page size, author, header rows and alt text, PDF tags, footer and page numbers."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.report.charts import MAX_HEIGHT, report_charts
from flows.report.data import build_report
from flows.report.model import BoardReport, Figure, QuestionRow
from flows.report.write import write_report
from models.settings import Settings
from tests.builders import NOW
from tests.flows.test_report_fixtures import baseline_and_reaudit

CHROMIUM = Path("/usr/bin/chromium")
LONG_NAMES = {
    "csc": "Northbridge Children's Social Care",
    "edu": "Northbridge Education Safeguarding Team",
    "nhs": "Northbridge University Hospitals NHS Trust",
    "police": "Northbridge Police, Public Protection Unit",
    "probation": "Probation Service, Northbridge delivery unit",
}


@pytest.fixture
def report(session: Session, settings: Settings, tmp_path: Path) -> BoardReport:
    _, again = baseline_and_reaudit(session, settings, tmp_path)
    return build_report(session=session, round_id=again, today=NOW.date())


def _figure(met: float, applicable: int) -> Figure:
    return Figure(
        percent=round(100 * met / applicable), met=met, applicable=applicable,
        label=f"{round(100 * met / applicable)}% ({met:g}:{applicable})",
    )  # fmt: skip


def long_report(report: BoardReport, questions: int = 16) -> BoardReport:
    """The fixture's report with 16 questions in two groups and five long agency names."""
    rows = [
        QuestionRow(
            id=f"q{i}", shared=True, provisional=False, group=f"Group {i % 2 + 1}",
            text="Was the risk to the child considered at an early stage, with every agency "
            f"that knew of the abuse told in good time? ({i})",
            case_level=_figure(15.5, 18), overall=_figure(70.5, 77),
            by_agency={code: _figure(i % 18 + 0.5, 18) for code in LONG_NAMES},
        )
        for i in range(questions)
    ]  # fmt: skip
    method = report.method.model_copy(update={"agencies": list(LONG_NAMES)})
    longer = report.model_copy(
        update={"questions": rows, "agency_names": LONG_NAMES, "method": method}
    )
    return longer.model_copy(update={"charts": report_charts(longer)})


def test_every_chart_text_lies_inside_its_view_box_as_chromium_measures_it(
    report: BoardReport,
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    charts = long_report(report).charts + report.charts
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for chart in charts:
            page.set_content(f"<!DOCTYPE html><html><body>{chart.svg}</body></html>")
            box = page.evaluate("() => document.querySelector('svg').viewBox.baseVal.height")
            texts = page.evaluate(
                """() => [...document.querySelectorAll('svg text')].map(t => {
                    const b = t.getBBox();
                    return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height];
                })"""
            )
            width = page.evaluate("() => document.querySelector('svg').viewBox.baseVal.width")
            assert texts, chart.title
            for text, left, top, right, bottom in texts:
                assert left >= 0 and top >= 0, (chart.title, text, left, top)
                assert right <= width and bottom <= box, (chart.title, text, right, bottom)
        browser.close()


def test_a_long_chart_is_split_per_question_group_and_none_is_too_tall(
    report: BoardReport,
) -> None:
    charts = long_report(report).charts
    titles = [c.title for c in charts]
    assert any(t.startswith("Compliance per question and agency: Group 1") for t in titles)
    assert any(t.startswith("Compliance per question and agency: Group 2") for t in titles)
    assert all(c.height <= MAX_HEIGHT for c in charts), [(c.title, c.height) for c in charts]
    assert all(c.alt.startswith("Bar chart, ") and "86% (15.5:18)" in c.alt for c in charts[:1])


def test_the_docx_is_a4_by_the_partnership_with_header_rows_alt_text_and_short_charts(
    report: BoardReport, tmp_path: Path
) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Inches

    (path,) = write_report(long_report(report), tmp_path, ["docx"])
    document = Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.author == "Testshire Safeguarding Children Partnership"
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    for table in document.tables:
        first = [c.text for c in table.rows[0].cells]
        assert any(first), "no empty first row"
        header = table.rows[0]._tr.find(qn("w:trPr"))
        labelled = table.rows[0].cells[0].text in ("Report for", "Audit tool")
        assert labelled or (header is not None and header.find(qn("w:tblHeader")) is not None)
    shapes = list(document.inline_shapes)
    assert len(shapes) >= 5
    for shape in shapes:
        assert shape._inline.docPr.get("descr", "").startswith("Bar chart, ")
        assert shape.height <= Inches(6.5) + 1
    method = next(t for t in document.tables if t.rows[0].cells[0].text == "Audit tool")
    assert [r.cells[0].text for r in method.rows][:3] == [
        "Audit tool", "Selection criteria", "Random seed",
    ]  # fmt: skip


def _tagged(node: object, tag: str) -> list[dict[str, object]]:
    """Every structure element of the PDF with this tag."""
    node = node.get_object() if hasattr(node, "get_object") else node
    found = []
    if isinstance(node, dict):
        if node.get("/S") == tag:
            found.append(node)
        found += _tagged(node.get("/K"), tag) if node.get("/K") is not None else []
    elif isinstance(node, list):
        for child in node:
            found += _tagged(child, tag)
    return found


def test_the_pdf_is_tagged_and_every_page_carries_the_title_and_its_number(
    report: BoardReport, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    (path,) = write_report(report, tmp_path, ["pdf"])
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    figures = _tagged(root["/StructTreeRoot"], "/Figure")
    assert len(figures) == 3 and all(str(f["/Alt"]).startswith("Bar chart, ") for f in figures)
    total = len(reader.pages)
    assert total > 1
    title = "Joint case audit: Domestic abuse <em>re-audit</em>"
    for number, page in enumerate(reader.pages, start=1):
        text = re.sub(r"\s+", " ", page.extract_text())
        assert f"Page {number} of {total}" in text
        assert title in text.replace("re- audit", "re-audit")


def test_the_html_keeps_charts_whole_across_pages(report: BoardReport) -> None:
    from flows.report.render import render_html

    html = render_html(report)
    assert re.search(r"figure\.chart \{[^}]*break-inside: avoid", html)
    assert "counter(page)" in html and "string(doctitle)" in html


def _boxes(box: object) -> Iterator[object]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_every_table_of_the_pdf_lies_inside_the_page_margins(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TableBox

    from flows.report.render import render_html

    base, again = baseline_and_reaudit(session, settings, tmp_path)
    seen = set()
    for round_id in (base, again):
        report = build_report(session=session, round_id=round_id, today=NOW.date())
        for number, page in enumerate(HTML(string=render_html(report)).render().pages, 1):
            area = page._page_box
            right = area.content_box_x() + area.width
            for box in _boxes(area):
                if isinstance(box, TableBox):
                    seen.add(" ".join(box.element.get("class", "").split()) or "table")
                    edge = box.border_box_x() + box.border_width()
                    assert edge <= right + 0.5, (round_id, number, box.element.get("class"))
    assert "discrepancies" in seen and len(seen) > 3, seen
