"""A standalone HTML preview of an audit tool, as an agency lead will see it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from models.questionnaire import KNOWN_QUESTION_ID, Question, Rollup, Tool
from models.questionnaire.conditions import CaseAttributes, applies
from models.questionnaire.parts import MultiChoiceStandard, ScaleStandard, YesPartlyNoStandard

TEMPLATES_DIR = Path(__file__).parent / "templates"
GOVUK_STATIC_DIR = Path(__file__).parent / "static" / "govuk"

ROLLUP_TEXT = {
    Rollup.all: "Case answer before moderation: met only if every agency says it was met.",
    Rollup.any: "Case answer before moderation: met if at least one agency says it was met.",
    Rollup.majority: (
        "Case answer before moderation: what most agencies say (a tie counts as not met)."
    ),
}
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
ASSET_URL = re.compile(r"url\([^)]*\)")
PARTLY_TEXT = {"met": "met", "not_met": "not met", "half": "half met"}


@dataclass(frozen=True)
class PreviewEntry:
    """A question with its number in the tool and how it is scored."""

    number: int
    question: Question
    scoring: list[str]


@dataclass(frozen=True)
class PreviewSection:
    """A section with the questions shown."""

    title: str
    description: str
    entries: list[PreviewEntry]
    condition: str = ""


def template_environment() -> Environment:
    """The Jinja environment of the portal templates: autoescaped, strict about undefined."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def govuk_stylesheet() -> Path | None:
    """The fetched govuk-frontend stylesheet, if present."""
    found = sorted(GOVUK_STATIC_DIR.glob("govuk-frontend*.css"))
    return found[0] if found else None


def _standard_text(question: Question) -> str:
    standard = question.standard
    if question.type == "text":
        return "Free text: quoted in reports, not scored."
    if standard is None:
        return "No standard: answers are reported, not scored."
    if isinstance(standard, ScaleStandard):
        return f"Meets the standard: a score of {standard.min_score} or more."
    met = [label for value, label in question.choices() if value in standard.met]
    if isinstance(standard, MultiChoiceStandard):
        return f"Meets the standard when {standard.match} of these are chosen: {'; '.join(met)}."
    text = f"Meets the standard: {' or '.join(met)}."
    if isinstance(standard, YesPartlyNoStandard):
        text += f" Partly counts as {PARTLY_TEXT[standard.partly_counts_as]}."
    return text


def describe_scoring(question: Question) -> list[str]:
    """How a question counts in the report and the action plan, in plain sentences."""
    if question.id == KNOWN_QUESTION_ID:
        return ["No ends this case for the agency: it is left out of every figure."]
    lines = []
    if question.shared:
        lines.append(
            "Shared: every agency judges the same multi-agency practice, and agreement "
            "between agencies is measured."
        )
    elif question.standard is not None:
        lines.append("Own practice: each agency judges its own agency's practice.")
    elif question.type != "text":
        lines.append("Each agency answers from its own records.")
    lines.append(_standard_text(question))
    if question.rollup is not None:
        lines.append(ROLLUP_TEXT[question.rollup])
    if question.standard is not None and question.allows_na:
        lines.append("Not applicable answers are left out of the percentage.")
    rule = question.action_rule
    if rule is not None:
        owner = f" Suggested lead: {rule.owner_hint}." if rule.owner_hint else ""
        lines.append(
            f"Below {rule.threshold_percent}% the action plan suggests: {rule.action} "
            f"Success measure: {rule.success_measure}{owner}"
        )
    if question.applies_to:
        lines.append(f"Asked only of: {', '.join(question.applies_to)}.")
    if question.applies_when is not None:
        lines.append(
            f"Asked only when {question.applies_when.describe()}; for other cases it is "
            "neither asked nor counted."
        )
    return lines


def preview_sections(
    tool: Tool,
    *,
    agency: str | None = None,
    show_scoring: bool = True,
    case: CaseAttributes | None = None,
) -> list[PreviewSection]:
    """The sections and numbered questions shown to one agency (or every question), about one
    case when given (questions whose `applies_when` the case does not meet are left out)."""
    sections, number = [], 0
    for section in tool.sections:
        entries = []
        for question in section.questions:
            if agency is not None and not question.applies_to_agency(agency):
                continue
            if case is not None and not applies(question, case, within=section):
                continue
            number += 1
            scoring = describe_scoring(question) if show_scoring else []
            entries.append(PreviewEntry(number=number, question=question, scoring=scoring))
        if entries:
            condition = section.applies_when.describe() if section.applies_when else ""
            sections.append(PreviewSection(section.title, section.description, entries, condition))
    return sections


def render_preview(
    tool: Tool,
    *,
    agency: str | None = None,
    show_scoring: bool = True,
    stylesheet: str | None = None,
    inline_css: str | None = None,
) -> str:
    """The whole preview page, with a stylesheet's text, its URL, or a small fallback style."""
    template = template_environment().get_template("views/tool_preview.html")
    return template.render(
        tool=tool,
        version=tool.version,
        agency=agency,
        sections=preview_sections(tool, agency=agency, show_scoring=show_scoring),
        stylesheet=stylesheet,
        inline_css=inline_css,
        values={},
        errors={},
    )


def standalone_css(css: str) -> str:
    """The stylesheet made to stand alone in a file: no web fonts, no links to asset files."""
    css = FONT_FACE.sub("", css)
    css = ASSET_URL.sub("none", css)
    return css.replace("</", "<\\/")  # cannot close the <style> element it is written into


def write_preview(
    tool: Tool, out: Path, *, agency: str | None = None, show_scoring: bool = True
) -> Path:
    """Write a self-contained preview file: the govuk-frontend styles, when fetched, inlined."""
    css = govuk_stylesheet()
    html = render_preview(
        tool,
        agency=agency,
        show_scoring=show_scoring,
        inline_css=standalone_css(css.read_text(encoding="utf-8")) if css else None,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
