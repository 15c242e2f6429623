from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.report.data import build_report
from flows.report.write import parse_formats, write_report
from models.errors import InputError
from models.settings import Settings
from tests.builders import NOW
from tests.flows.test_report_fixtures import SCRIPT, baseline_and_reaudit

FIGURES = ("100% (4:4)", "75% (3:4)", "50% (2:4)", "+50", "-25", "improved", "worse", "unchanged")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def files(session: Session, settings: Settings, tmp_path: Path) -> dict[str, Path]:
    _, again = baseline_and_reaudit(session, settings, tmp_path)
    report = build_report(session=session, round_id=again, today=NOW.date())
    written = write_report(report, tmp_path / "out", ["html", "md", "docx", "pdf"])
    return {p.suffix.lstrip("."): p for p in written if "chart" not in p.name}


def test_html_parses_holds_the_figures_and_runs_no_script(files: dict[str, Path]) -> None:
    parser = _Elements()
    parser.feed(files["html"].read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert "script" not in parser.tags and "em" not in parser.tags and "b" not in parser.tags
    assert parser.tags.count("svg") == 3  # per question, per agency, baseline against re-audit
    assert all(figure in text for figure in FIGURES)
    assert SCRIPT in text  # shown as text, never run


def test_markdown_holds_the_figures_and_links_its_chart_files(files: dict[str, Path]) -> None:
    markdown = files["md"].read_text(encoding="utf-8")
    assert all(figure in markdown for figure in FIGURES)
    assert "<script" not in markdown
    chart = files["md"].parent / "round-2-board-report-chart-1.svg"
    assert chart.exists() and f"]({chart.name})" in markdown
    assert "<script" not in chart.read_text(encoding="utf-8")


def test_docx_opens_with_python_docx_and_holds_figures_and_chart_images(
    files: dict[str, Path],
) -> None:
    from docx import Document

    document = Document(str(files["docx"]))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert all(figure in text for figure in FIGURES)
    assert "Highlights" in text and "No action plan yet." in text
    assert SCRIPT in text  # literal text in the document, not markup
    assert len(document.inline_shapes) == 3


def test_pdf_text_holds_the_figures(files: dict[str, Path]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(files["pdf"].read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert all(figure in text for figure in ("100% (4:4)", "75% (3:4)", "improved", "worse"))
    assert "alert('x')" in text  # printed as text


def test_unknown_formats_are_refused_with_the_choices() -> None:
    assert parse_formats("html, MD,html") == ["html", "md"]
    with pytest.raises(InputError, match="choose from html, md, docx, pdf"):
        parse_formats("html,rtf")


def test_round_report_command_writes_files_and_prints_the_comparison_as_json(
    session: Session,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flows.cli import main

    _, again = baseline_and_reaudit(session, settings, tmp_path)
    out = tmp_path / "board"
    assert main(["round", "report", str(again), "--out", str(out), "--format", "html,md"]) == 0
    assert (out / "round-2-board-report.html").exists()
    assert (out / "round-2-board-report.md").exists()
    assert "+50" in capsys.readouterr().out
    assert main(["round", "report", str(again), "--json"]) == 0
    printed = capsys.readouterr().out
    data = json.loads(printed[printed.index("{") :])
    rows = data["comparison"]["rows"]
    assert [(r["id"], r["change_points"], r["direction"]) for r in rows] == [
        ("info_sharing", 50, "improved"),
        ("chronology", -25, "worse"),
        ("voice_of_child", 0, "unchanged"),
    ]
    assert rows[0]["baseline"]["label"] == "50% (2:4)" and rows[0]["caution"]
    assert main(["round", "report", str(again), "--format", "rtf"]) == 1


def test_pdf_and_docx_charts_name_what_to_install_when_their_libraries_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from flows.report.charts import svg_to_png
    from flows.report.pdf import render_pdf
    from models.errors import ConfigurationError

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    with pytest.raises(ConfigurationError, match="libpango"):
        render_pdf(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="libcairo2"):
        svg_to_png("<svg/>")
