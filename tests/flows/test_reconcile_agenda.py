"""The discrepancy agenda: which cases the moderation meeting discusses, and in what order."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from flows.reconcile.compute import question_findings
from models.questionnaire import NA
from tests.builders import round_answers, tool_with_questions

OPTIONS = [{"id": f"level_{n}", "label": f"Level {n}"} for n in range(4)]
QUESTIONS: dict[str, dict[str, Any]] = {
    "partly_not_met": {
        "type": "yes_partly_no_na",
        "standard": {"met": ["yes"], "partly_counts_as": "not_met"},
    },
    "partly_met": {
        "type": "yes_partly_no_na",
        "standard": {"met": ["yes"], "partly_counts_as": "met"},
    },
    "partly_half": {
        "type": "yes_partly_no_na",
        "standard": {"met": ["yes"], "partly_counts_as": "half"},
    },
    "yes_no": {"type": "yes_no_na", "standard": {"met": ["yes"]}},
    "grade": {"type": "ofsted_grade", "standard": {"met": ["outstanding", "good"]}},
    "grade_unmeasured": {"type": "ofsted_grade"},
    "grade_nominal": {
        "type": "ofsted_grade",
        "agreement": "nominal",
        "standard": {"met": ["outstanding", "good"]},
    },
    "rag": {"type": "rag", "standard": {"met": ["green"]}},
    "scale": {"type": "scale_0_10", "standard": {"min_score": 7}},
    "ordered_choice": {
        "type": "single_choice",
        "ordered": True,
        "options": OPTIONS,
        "standard": {"met": ["level_3"]},
    },
    "unordered_choice": {
        "type": "single_choice",
        "options": OPTIONS,
        "standard": {"met": ["level_1", "level_2"]},
    },
}
AGENCIES = ("csc", "education", "health", "police", "probation")


def _definition(name: str) -> dict[str, Any]:
    return {"id": name, "shared": True, "text": f"Question {name}", **QUESTIONS[name]}


TOOL = tool_with_questions(*(_definition(name) for name in QUESTIONS))


@st.composite
def answer_sets(draw: st.DrawFn) -> tuple[str, dict[str, dict[str, Any]]]:
    """A question and each case's answers from some agencies (N/A and gaps included)."""
    name = draw(st.sampled_from(sorted(QUESTIONS)))
    question = TOOL.question(name)
    values: list[Any] = [*(question.ordered_values or [v for v, _ in question.choices()]), NA]
    agencies = draw(st.lists(st.sampled_from(AGENCIES), min_size=2, max_size=5, unique=True))
    cases = draw(st.integers(min_value=1, max_value=8))
    by_case = {
        f"C-{c:04d}": draw(
            st.dictionaries(st.sampled_from(agencies), st.sampled_from(values), max_size=5)
        )
        for c in range(cases)
    }
    return name, by_case


def _expected(name: str, by_agency: dict[str, Any]) -> tuple[bool, bool, int]:
    """(listed, split, spread) worked out answer by answer, without the vectorised code."""
    question = TOOL.question(name)
    given_ = [v for v in by_agency.values() if v != NA]
    scores = {s for v in given_ if (s := question.meets_standard(v)) is not None}
    split = len(scores) > 1
    order = question.ordered_values if question.agreement != "nominal" else None
    if order is None:
        return split or len(set(given_)) > 1, split, 1
    ranks = [order.index(v) for v in given_]
    spread = max(ranks) - min(ranks) if ranks else 0
    return split or spread >= 2, split, spread


@hypothesis_settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_the_agenda_lists_every_standard_split_and_every_ordinal_spread_of_two_or_more(
    drawn: tuple[str, dict[str, dict[str, Any]]],
) -> None:
    name, by_case = drawn
    _, agenda = question_findings(TOOL, round_answers(answers={name: by_case}, agencies=AGENCIES))
    listed = {d.case_ref: d for d in agenda}
    for case_ref, by_agency in by_case.items():
        on_agenda, split, spread = _expected(name, by_agency)
        assert (case_ref in listed) == on_agenda, (case_ref, by_agency)
        if on_agenda:
            assert listed[case_ref].standard_split == split
            assert listed[case_ref].spread == spread


def test_yes_against_partly_is_on_the_agenda_when_partly_does_not_meet_the_standard() -> None:
    answers = {"csc": "yes", "education": "yes", "health": "yes", "police": "partly"}
    for name, expected in [("partly_not_met", True), ("partly_half", True), ("partly_met", False)]:
        by_case = {"C-0001": answers}
        _, agenda = question_findings(TOOL, round_answers(answers={name: by_case}))
        assert [d.standard_split for d in agenda] == ([True] if expected else []), name


def test_the_agenda_puts_wider_spreads_first_then_splits_of_the_standard() -> None:
    by_case = {
        "C-0001": {"csc": "good", "health": "requires_improvement"},  # one step, a split
        "C-0002": {"csc": "outstanding", "health": "good"},  # one step, both met: not listed
        "C-0003": {"csc": "outstanding", "health": "inadequate"},  # three steps
        "C-0004": {"csc": "outstanding", "health": "requires_improvement"},  # two, a split
        "C-0005": {"csc": "requires_improvement", "police": "inadequate", "health": NA},
    }
    _, agenda = question_findings(TOOL, round_answers(answers={"grade": by_case}))
    assert [(d.case_ref, d.spread, d.standard_split) for d in agenda] == [
        ("C-0003", 3, True),
        ("C-0004", 2, True),
        ("C-0001", 1, True),
    ]
