"""The moderation meeting's pure parts: the answer that prefills an item, and the items' order."""

from __future__ import annotations

from flows.reconcile.findings import CaseAnswers, Discrepancy, Findings, QuestionFindings
from flows.reconcile.meeting import (
    CONFIRMED,
    answer_value,
    meeting_items,
    suggested_answer,
    undisputed,
)
from models.questionnaire.catalog import load_tool

TOOL = load_tool("domestic-abuse")
QUESTION = TOOL.question("info_sharing")  # Yes / Partly / No; Partly does not meet it


def _case(provisional: str | None, *labels: str, ref: str = "C-0001") -> CaseAnswers:
    agencies = ("csc", "health", "police")[: len(labels)]
    return CaseAnswers(ref, dict(zip(agencies, labels, strict=True)), provisional)


def test_answer_labels_map_back_to_the_values_the_cli_takes() -> None:
    assert [answer_value(QUESTION, label) for label in ("Yes", "Partly", "No", "N/A")] == [
        "yes",
        "partly",
        "no",
        "na",
    ]
    assert answer_value(QUESTION, "Outstanding") is None


def test_the_suggestion_is_the_commonest_answer_on_the_provisional_side_of_the_standard() -> None:
    assert suggested_answer(QUESTION, _case("met", "Yes", "No", "Yes")) == "yes"
    assert suggested_answer(QUESTION, _case("not met", "No", "Partly", "No")) == "no"
    assert suggested_answer(QUESTION, _case("not met", "Yes", "Partly", "No")) == "partly"


def test_all_not_applicable_suggests_not_applicable_and_no_answers_suggest_nothing() -> None:
    assert suggested_answer(QUESTION, _case(None, "N/A", "N/A")) == "na"
    assert suggested_answer(QUESTION, _case(None)) is None


def _findings() -> Findings:
    cases = [
        _case("met", "Yes", "Yes", "Yes"),
        _case("met", "Yes", "No", "Yes", ref="C-0002"),
        CaseAnswers("C-0003", {}, None),
        CaseAnswers("C-0004", {"csc": "No"}, "not met", "No", "seen"),
    ]
    question = QuestionFindings(
        id="info_sharing",
        text=QUESTION.text,
        type=QUESTION.type,
        shared=True,
        by_agency={},
        cases=cases,
    )
    agenda = [Discrepancy("C-0002", "info_sharing", cases[1].answers, 2, True, False)]
    return Findings(
        round_id=1,
        provisional=True,
        concerns={},
        not_known={},
        responses={},
        questions=[question],
        discrepancies=agenda,
    )


def test_the_agenda_comes_first_and_cases_nobody_answered_are_not_items() -> None:
    items = meeting_items(_findings(), TOOL)
    assert [(i.case_ref, i.rank, i.agreed) for i in items] == [
        ("C-0002", 1, None),
        ("C-0001", None, None),
        ("C-0004", None, "no"),
    ]
    assert undisputed(items) == [("C-0001", "info_sharing", "yes", CONFIRMED)]
