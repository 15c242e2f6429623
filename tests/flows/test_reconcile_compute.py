"""The bulk path of reconciliation: grouping answers by question and case, stored rows."""

from __future__ import annotations

from flows.reconcile.compute import question_findings
from flows.reconcile.findings import Findings
from tests.builders import round_answers, tool_with_questions

TOOL = tool_with_questions(
    {
        "id": "grade",
        "text": "Grade",
        "type": "ofsted_grade",
        "shared": True,
        "standard": {"met": ["outstanding", "good"]},
    }
)


def test_answers_given_in_any_order_give_the_same_findings() -> None:
    by_case = {
        "C-0002": {"csc": "good", "health": "inadequate", "police": "na"},
        "C-0001": {"police": "outstanding", "csc": "good"},
        "C-0003": {"health": "requires_improvement"},
    }
    reordered = {case: dict(reversed(list(a.items()))) for case, a in reversed(by_case.items())}
    one = question_findings(TOOL, round_answers(answers={"grade": by_case}))
    other = question_findings(TOOL, round_answers(answers={"grade": reordered}))
    assert one == other
    [found] = [q for q in one[0] if q.id == "grade"]
    assert [(c.case_ref, c.answers, c.provisional) for c in found.cases] == [
        ("C-0001", {"csc": "Good", "police": "Outstanding"}, "met"),
        ("C-0002", {"csc": "Good", "health": "Inadequate", "police": "N/A"}, "not met"),
        ("C-0003", {"health": "Requires improvement"}, "not met"),
    ]


def test_case_rows_and_agenda_items_survive_storing_as_json() -> None:
    by_case = {"C-0001": {"csc": "good", "health": "inadequate"}}
    questions, agenda = question_findings(TOOL, round_answers(answers={"grade": by_case}))
    findings = Findings(
        round_id=1,
        provisional=True,
        concerns={},
        not_known={},
        responses={},
        questions=questions,
        discrepancies=agenda,
    )
    stored = findings.model_dump(mode="json")
    assert stored["discrepancies"] == [
        {
            "case_ref": "C-0001",
            "question_id": "grade",
            "answers": {"csc": "Good", "health": "Inadequate"},
            "spread": 2,
            "standard_split": True,
            "resolved": False,
        }
    ]
    assert Findings.model_validate(stored) == findings
