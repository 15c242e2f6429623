"""Rendering the board report as HTML (escaped) and Markdown (escaped) from its sections; the
Jinja environments also serve the programme's quarterly review."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from flows.report.blocks import ChartBlock, Heading
from flows.report.model import BoardReport
from flows.report.sections import build_document
from flows.report.words import percent
from flows.report.writers import clean, escape_markdown, html_body, markdown
from models.calendar import long_day

__all__ = ["clean", "escape_markdown", "percent"]


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("flows.report", "templates"),
        autoescape=select_autoescape(["html.j2"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        finalize=None if autoescape else escape_markdown,
    )
    env.globals["pct"] = percent
    env.filters["day"] = long_day
    return env


@cache
def html_environment() -> Environment:
    """Jinja with autoescape on for HTML templates."""
    return _environment(autoescape=True)


@cache
def markdown_environment() -> Environment:
    """Jinja that escapes every printed value for Markdown."""
    return _environment(autoescape=False)


def render_html(report: BoardReport) -> str:
    """The report as one self-contained HTML page (charts inline as SVG), printable as PDF:
    page numbers and the title in the footer, charts never split across pages."""
    document = build_document(report)
    return (
        html_environment()
        .get_template("report.html.j2")
        .render(title=document.title, author=document.author, body=Markup(html_body(document)))
    )


def render_html_body(report: BoardReport, edit_link: Callable[[Heading], str] | None = None) -> str:
    """The report's body only (from its h1), to place inside another page such as the
    portal's; `edit_link` adds a link beside each heading a coordinator may change."""
    return html_body(build_document(report), edit_link)


def render_markdown(report: BoardReport, chart_files: list[tuple[str, str]] | None = None) -> str:
    """The report as Markdown; charts are linked files written beside it, (title, file name)."""
    files = dict(chart_files or [])

    def chart_file(block: ChartBlock) -> str:
        return files.get(block.title, "")

    return markdown(build_document(report), chart_file)
