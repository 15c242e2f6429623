"""The tool preview: every question type rendered as GOV.UK form fields, as a lead sees them."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from agencies.portal import tool_preview
from agencies.portal.tool_preview import (
    describe_scoring,
    render_preview,
    template_environment,
    write_preview,
)
from models.questionnaire import CLOSING_QUESTION_IDS, KNOWN_QUESTION_TEXT, QUESTION_TYPES, Tool
from models.questionnaire.catalog import list_tools

OPTIONS = [
    {"id": "police", "label": "Police"},
    {"id": "health", "label": "Health", "hint": "GP or health visitor"},
]
EVERY_TYPE: list[dict[str, Any]] = [
    {
        "id": "info_sharing",
        "type": "yes_no_na",
        "text": "Was information shared?",
        "shared": True,
        "standard": {"met": ["yes"]},
        "guidance": "Between agencies.\nIn good time.",
    },
    {
        "id": "plan_clear",
        "type": "yes_partly_no_na",
        "text": "Was the plan clear?",
        "standard": {"met": ["yes"], "partly_counts_as": "half"},
    },
    {
        "id": "overall",
        "type": "ofsted_grade",
        "text": "Overall quality?",
        "standard": {"met": ["outstanding", "good"]},
    },
    {"id": "tasks", "type": "rag", "text": "Were tasks realistic?", "allow_na": False},
    {
        "id": "safety",
        "type": "scale_0_10",
        "text": "How safe is the child?",
        "low_label": "0 means not safe",
        "high_label": "10 means safe",
        "standard": {"min_score": 7},
    },
    {
        "id": "hours",
        "type": "number",
        "text": "Hours to strategy discussion?",
        "unit": "hours",
        "required": False,
    },
    {"id": "held_on", "type": "date", "text": "When was it held?"},
    {"id": "outcome", "type": "single_choice", "text": "What was the outcome?", "options": OPTIONS},
    {
        "id": "attended",
        "type": "multi_choice",
        "text": "Who attended?",
        "options": OPTIONS,
        "applies_to": ["police"],
    },
    {"id": "notes", "type": "text", "text": "Anything else?", "max_length": 800},
]


def every_type_tool() -> Tool:
    closing = [{"id": i, "type": "text", "text": f"{i}?"} for i in CLOSING_QUESTION_IDS]
    known = {
        "id": "known_to_agency",
        "type": "yes_no_na",
        "allow_na": False,
        "text": KNOWN_QUESTION_TEXT,
    }
    return Tool.model_validate(
        {
            "name": "every-type",
            "title": "Every type <of question>",
            "working_together": "Working Together to Safeguard Children 2023, chapter 3",
            "sections": [
                {"title": "About this child", "questions": [known]},
                {"title": "Practice", "questions": EVERY_TYPE},
                {"title": "Summary", "questions": closing},
            ],
        }
    )


class Page(HTMLParser):
    """The form controls, labels and classes of a rendered page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.classes: list[str] = []
        self.text: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "textarea"):
            self.controls.append({"tag": tag, **attributes})
        if tag == "link":
            self.links.append(attributes)
        if tag == "style":
            self.style = True
        self.classes.extend((attributes.get("class") or "").split())

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(" ".join(data.split()))

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [c for c in self.controls if c.get("name") == name]

    def values(self, name: str) -> list[str | None]:
        return [c.get("value") for c in self.named(name)]


@pytest.fixture(scope="module")
def page() -> Page:
    return Page(render_preview(every_type_tool()))


def test_the_fixture_tool_has_every_question_type() -> None:
    assert {q.type for q in every_type_tool().questions()} == set(QUESTION_TYPES)


def test_yes_no_questions_are_radios_with_not_applicable(page: Page) -> None:
    assert page.values("q__info_sharing") == ["yes", "no", "na"]
    assert {c["type"] for c in page.named("q__info_sharing")} == {"radio"}
    assert page.named("q__info_sharing")[0]["id"] == "q__info_sharing"


def test_yes_partly_no_questions_offer_partly(page: Page) -> None:
    assert page.values("q__plan_clear") == ["yes", "partly", "no", "na"]


def test_ofsted_grades_are_radios_from_outstanding_to_inadequate(page: Page) -> None:
    assert page.values("q__overall") == [
        "outstanding",
        "good",
        "requires_improvement",
        "inadequate",
        "na",
    ]
    assert "Requires improvement" in page.text


def test_rag_questions_without_not_applicable_offer_only_the_colours(page: Page) -> None:
    assert page.values("q__tasks") == ["red", "amber", "green"]


def test_scale_questions_offer_zero_to_ten_and_say_what_the_ends_mean(page: Page) -> None:
    assert page.values("q__safety") == [str(n) for n in range(11)] + ["na"]
    assert any("0 means not safe" in t and "10 means safe" in t for t in page.text)


def test_number_questions_are_a_numeric_text_input_with_a_not_applicable_box(page: Page) -> None:
    [field] = page.named("q__hours")
    assert (field["type"], field["inputmode"], field["class"]) == (
        "text",
        "numeric",
        "govuk-input govuk-input--width-5",
    )
    assert page.named("q__hours__na")[0]["type"] == "checkbox"
    assert "hours" in page.text
    assert any("Hours to strategy discussion? (optional)" in t for t in page.text)


def test_date_questions_are_a_govuk_date_input(page: Page) -> None:
    for part in ("day", "month", "year"):
        [field] = page.named(f"q__held_on__{part}")
        assert field["id"] == f"q__held_on__{part}"
        assert "govuk-date-input__input" in (field["class"] or "")
    assert "govuk-date-input" in page.classes


def test_single_choice_questions_are_radios_of_the_options(page: Page) -> None:
    assert page.values("q__outcome") == ["police", "health", "na"]
    assert "GP or health visitor" in page.text


def test_multi_choice_questions_are_checkboxes_with_an_exclusive_not_applicable(
    page: Page,
) -> None:
    boxes = page.named("q__attended")
    assert [b["value"] for b in boxes] == ["police", "health", "na"]
    assert {b["type"] for b in boxes} == {"checkbox"}
    assert boxes[-1]["data-behaviour"] == "exclusive"


def test_text_questions_are_a_character_count_textarea(page: Page) -> None:
    [area] = page.named("q__notes")
    assert area["tag"] == "textarea"
    assert "govuk-character-count" in page.classes
    assert "You can enter up to 800 characters" in page.text


def test_every_question_is_numbered_and_shared_ones_are_marked(page: Page) -> None:
    assert f"1. {KNOWN_QUESTION_TEXT}" in page.text
    assert "2. Was information shared?" in page.text
    assert page.text.count("Multi-agency judgement") == 1


def test_how_each_question_is_scored_is_shown_to_the_coordinator(page: Page) -> None:
    assert "Meets the standard: Outstanding or Good." in page.text
    assert "Meets the standard: Yes. Partly counts as half met." in page.text
    assert "Asked only of: police." in page.text


def test_text_from_the_tool_is_escaped() -> None:
    html = render_preview(every_type_tool())
    assert "Every type &lt;of question&gt;" in html
    assert "<of question>" not in html


def test_an_agency_sees_only_the_questions_it_is_asked() -> None:
    tool = every_type_tool()
    assert Page(render_preview(tool, agency="police")).named("q__attended")
    assert not Page(render_preview(tool, agency="health")).named("q__attended")


def test_without_the_govuk_stylesheet_a_small_inline_style_is_used() -> None:
    page = Page(render_preview(every_type_tool()))
    assert page.style and not page.links
    linked = Page(render_preview(every_type_tool(), stylesheet="govuk.css"))
    assert [link["href"] for link in linked.links] == ["govuk.css"]
    assert not linked.style


def test_the_preview_file_stands_alone_with_the_fetched_govuk_styles_written_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make test` fetches the real assets first: start from a folder without them.
    monkeypatch.setattr(tool_preview, "GOVUK_STATIC_DIR", tmp_path / "missing")
    out = write_preview(every_type_tool(), tmp_path / "out" / "preview.html")
    fallback = Page(out.read_text(encoding="utf-8"))
    assert fallback.style and not fallback.links
    static = tmp_path / "govuk"
    static.mkdir()
    (static / "govuk-frontend.min.css").write_text(
        "@font-face{font-family:GDS Transport;src:url(/assets/fonts/light.woff2)}"
        ".govuk-header__logo{background:url(/assets/images/govuk-crest.svg)}"
        ".govuk-summary-list>.govuk-summary-list__row{display:table-row}"
        "/* </style><script>alert(1)</script> */",
        encoding="utf-8",
    )
    monkeypatch.setattr(tool_preview, "GOVUK_STATIC_DIR", static)
    html = write_preview(every_type_tool(), out).read_text(encoding="utf-8")
    page = Page(html)
    assert not page.links
    assert ".govuk-summary-list>.govuk-summary-list__row{display:table-row}" in html
    assert ".govuk-header__logo{background:none}" in html
    for absent in ("file:", "/assets/", "@font-face", "</script>"):
        assert absent not in html
    assert html.count("</style>") == 1


def test_the_summary_of_the_tool_is_one_row_per_fact(page: Page) -> None:
    html = render_preview(every_type_tool())
    rows = html.split('<div class="govuk-summary-list__row">')[1:]
    assert len(rows) == 4
    for row, key in zip(rows, ("Tool", "Version", "Shown as", "Working Together"), strict=True):
        assert f'<dt class="govuk-summary-list__key">{key}</dt>' in row
        assert row.count("<dd") == 1
    assert "Working Together to Safeguard Children 2023, chapter 3" in page.text


def test_sections_show_their_titles_descriptions_and_conditions() -> None:
    data = every_type_tool().model_dump(mode="json")
    data["sections"][1]["description"] = "Answer for the whole period."
    data["sections"][1]["applies_when"] = {"category": ["CP"]}
    data["sections"][1]["questions"][0]["applies_when"] = {"age_band": ["under-1"]}
    page = Page(render_preview(Tool.model_validate(data)))
    assert "Practice" in page.text and "Answer for the whole period." in page.text
    assert "This section is asked only when the case category is CP." in page.text
    assert (
        "Asked only when the child's age band is under-1; for other cases it is neither "
        "asked nor counted."
    ) in page.text


def test_the_built_in_tools_preview_without_errors() -> None:
    for _, tool in list_tools():
        page = Page(render_preview(tool))
        assert page.named("q__known_to_agency")
        assert page.named("q__recommendations")


def test_the_question_macros_show_answers_and_errors_again() -> None:
    template = template_environment().from_string(
        '{% from "components/questions.html" import question_field %}'
        "{% for q in questions %}{{ question_field(q, values, errors) }}{% endfor %}"
    )
    tool = every_type_tool()
    values = {
        "info_sharing": "no",
        "safety": 7,
        "hours": 36.0,
        "held_on": date(2024, 3, 27),
        "attended": ["health"],
        "notes": "Seen <alone>",
        "outcome": "na",
    }
    html = template.render(
        questions=list(tool.questions()), values=values, errors={"tasks": "Select a rating"}
    )
    page = Page(html)
    checked = {c["name"]: c["value"] for c in page.controls if "checked" in c}
    assert checked == {
        "q__info_sharing": "no",
        "q__safety": "7",
        "q__attended": "health",
        "q__outcome": "na",
    }
    assert page.values("q__hours") == ["36"]
    assert [page.values(f"q__held_on__{p}")[0] for p in ("day", "month", "year")] == [
        "27",
        "3",
        "2024",
    ]
    assert "Seen &lt;alone&gt;</textarea>" in html
    assert "govuk-form-group--error" in page.classes
    assert "Select a rating" in page.text
    assert '<fieldset class="govuk-fieldset" aria-describedby="q__tasks-error">' in html
    assert '<p id="q__tasks-error" class="govuk-error-message">' in html


def test_a_date_typed_wrongly_is_shown_again_as_typed() -> None:
    template = template_environment().from_string(
        '{% from "components/questions.html" import date_field %}{{ date_field(q, value) }}'
    )
    question = every_type_tool().question("held_on")
    page = Page(template.render(q=question, value={"day": "31", "month": "2", "year": "24"}))
    assert [page.values(f"q__held_on__{p}")[0] for p in ("day", "month", "year")] == [
        "31",
        "2",
        "24",
    ]


def test_the_known_question_is_described_as_the_gate() -> None:
    tool = every_type_tool()
    assert describe_scoring(tool.question("known_to_agency")) == [
        "No ends this case for the agency: it is left out of every figure."
    ]
