"""Rendering the board report as HTML (autoescaped) and Markdown (escaped) from Jinja templates."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from flows.report.model import BoardReport
from models.calendar import long_day

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Text without control characters (XML, DOCX and XLSX refuse them)."""
    return _CONTROL.sub("", text)


def escape_markdown(value: Any) -> str:
    """A value safe inside a Markdown line or table cell: no HTML, links, emphasis or pipes."""
    text = clean(str(value)) if value is not None else ""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def percent(value: int | None) -> str:
    """75%, or "-" when nothing applied."""
    return "-" if value is None else f"{value}%"


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


def _render_html(report: BoardReport, template: str) -> str:
    charts = [c.model_copy(update={"svg": Markup(c.svg)}) for c in report.charts]
    return (
        html_environment()
        .get_template(template)
        .render(r=report.model_copy(update={"charts": charts}))
    )


def render_html(report: BoardReport) -> str:
    """The report as one self-contained HTML page (charts inline as SVG)."""
    return _render_html(report, "report.html.j2")


def render_html_body(report: BoardReport) -> str:
    """The report's body only (from its h1), to place inside another page such as the portal's."""
    return _render_html(report, "report_body.html.j2")


def render_markdown(report: BoardReport, chart_files: list[tuple[str, str]] | None = None) -> str:
    """The report as Markdown; charts are linked files written beside it."""
    return (
        markdown_environment()
        .get_template("report.md.j2")
        .render(r=report, chart_files=chart_files or [])
    )
