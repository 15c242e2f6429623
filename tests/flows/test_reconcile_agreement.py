"""Which agreement statistics a shared question gets: by its scale, or `agreement: nominal`."""

from __future__ import annotations

import numpy as np
import pytest

from flows.reconcile.agreement import gwet_ac1, krippendorff_alpha, percent_agreement
from flows.reconcile.compute import question_findings
from models.questionnaire import NA
from tests.builders import round_answers, tool_with_questions

GRADE = {"type": "ofsted_grade", "shared": True, "standard": {"met": ["outstanding", "good"]}}
TOOL = tool_with_questions(
    {"id": "grade", "text": "Grade", **GRADE},
    {"id": "grade_nominal", "text": "Grade, unordered", "agreement": "nominal", **GRADE},
    {"id": "shared_yes_no", "text": "Yes or no", "type": "yes_no_na", "shared": True},
)
SCALE = ["inadequate", "requires_improvement", "good", "outstanding"]  # codes 0..3
AGENCIES = ["csc", "health", "police", "education"]
RATINGS = np.array(
    [
        [3, 2, 2, np.nan],
        [0, 0, 1, 0],
        [2, 2, 2, 2],
        [1, 3, np.nan, np.nan],
        [2, np.nan, 3, 2],
        [0, 1, 1, 1],
        [np.nan, 2, np.nan, np.nan],
    ]
)


def _answers(
    question_id: str, labels: list[str], ratings: np.ndarray
) -> dict[str, dict[str, dict[str, str]]]:
    by_case = {
        f"C-{c:04d}": {
            agency: labels[int(code)] if not np.isnan(code) else NA
            for agency, code in zip(AGENCIES[: ratings.shape[1]], row, strict=True)
        }
        for c, row in enumerate(ratings)
    }
    return {question_id: by_case}


def _agreement(question_id: str, labels: list[str], ratings: np.ndarray = RATINGS):  # type: ignore[no-untyped-def]
    answers = round_answers(answers=_answers(question_id, labels, ratings))
    found, agenda = question_findings(TOOL, answers)
    [question] = [q for q in found if q.id == question_id]
    return question.agreement, agenda


def test_an_ordered_scale_gets_ordinal_ac2_and_ordinal_alpha_with_unweighted_agreement() -> None:
    figures, _ = _agreement("grade", SCALE)
    gwet = figures["gwet_ac1"]
    expected = gwet_ac1(RATINGS, 4, "ordinal")
    assert (gwet.statistic, gwet.weights) == ("Gwet's AC2", "ordinal")
    assert (gwet.value, gwet.se, gwet.ci_low, gwet.ci_high) == pytest.approx(
        (expected.value, expected.se, expected.ci_low, expected.ci_high), abs=1e-12
    )
    assert gwet.value != pytest.approx(gwet_ac1(RATINGS, 4).value)
    alpha = figures["krippendorff_alpha"]
    assert (alpha.statistic, alpha.weights) == ("Krippendorff's alpha", "ordinal")
    assert alpha.value == pytest.approx(krippendorff_alpha(RATINGS, 4, "ordinal").value)
    share = figures["percent_agreement"]
    assert (share.statistic, share.weights) == ("percent agreement", "unweighted")
    assert share.value == pytest.approx(percent_agreement(RATINGS, 4).value)
    assert share.n_units == gwet.n_units == 6


def test_agreement_nominal_measures_an_ordered_scale_as_unordered() -> None:
    figures, agenda = _agreement("grade_nominal", SCALE)
    gwet, alpha = figures["gwet_ac1"], figures["krippendorff_alpha"]
    assert (gwet.statistic, gwet.weights) == ("Gwet's AC1", "unweighted")
    assert gwet.value == pytest.approx(gwet_ac1(RATINGS, 4).value, abs=1e-12)
    assert alpha.weights == "nominal"
    assert alpha.value == pytest.approx(krippendorff_alpha(RATINGS, 4, "nominal").value)
    # Unordered: every case whose answers differ is on the agenda, one "step" apart.
    assert sorted((d.case_ref, d.spread) for d in agenda) == [
        ("C-0000", 1),
        ("C-0001", 1),
        ("C-0003", 1),
        ("C-0004", 1),
        ("C-0005", 1),
    ]


def test_an_unordered_scale_keeps_ac1_unchanged() -> None:
    yes_no = RATINGS[:, :3].copy()
    yes_no[~np.isnan(yes_no)] = yes_no[~np.isnan(yes_no)] >= 2
    figures, _ = _agreement("shared_yes_no", ["no", "yes"], yes_no)
    gwet = figures["gwet_ac1"]
    expected = gwet_ac1(yes_no, 2)
    assert (gwet.statistic, gwet.weights) == ("Gwet's AC1", "unweighted")
    assert (gwet.value, gwet.se, gwet.ci_low) == (expected.value, expected.se, expected.ci_low)
    assert gwet.method == expected.method and "AC1" in gwet.method
