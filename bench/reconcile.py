"""Reconciling 2,000 cases x 12 agencies x 40 questions (960,000 answers), in memory.

Figure: seconds for our whole reconciliation of the answers (compliance per agency and per
case, roll-ups, percent agreement, Gwet's AC1, Krippendorff's alpha with a 500-resample
interval, discrepancies), against the `krippendorff` package computing ordinal alpha alone on
the same 40 matrices. BENCH_RECONCILE_CASES changes the number of cases.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from typing import Any

import numpy as np

from bench import Goal, Result

CASES = int(os.environ.get("BENCH_RECONCILE_CASES", "2000"))
AGENCIES = 12
QUESTIONS = 40


def _tool() -> Any:
    from agencies.tool_catalog import load_tool
    from models.questionnaire import Tool

    data = load_tool("domestic-abuse").model_dump(mode="json")
    template = next(
        q for s in data["sections"] for q in s["questions"] if q["id"] == "info_sharing"
    )
    extra = []
    for n in range(QUESTIONS):
        question = copy.deepcopy(template)
        question["id"], question["text"] = f"bench_{n:02d}", f"Benchmark question {n}"
        extra.append(question)
    data["sections"].insert(1, {"title": "Benchmark", "questions": extra})
    return Tool.model_validate(data)


def run() -> list[Result]:
    """Time our reconciliation and the package's alpha on the same random answers."""
    import krippendorff

    from flows.reconcile.compute import RoundAnswers, question_findings

    rng = np.random.default_rng(5)
    tool = _tool()
    values = np.array(["no", "partly", "yes", "na"], dtype=object)
    cases, agencies = np.meshgrid(np.arange(CASES), np.arange(AGENCIES), indexing="ij")
    per_question = CASES * AGENCIES
    codes = rng.choice(4, size=(QUESTIONS, per_question), p=[0.2, 0.15, 0.5, 0.15])
    data = RoundAnswers(
        agencies=[f"agency-{a:02d}" for a in range(AGENCIES)],
        cases=[f"C-{c:05d}" for c in range(CASES)],
        agency_index=np.tile(agencies.ravel(), QUESTIONS),
        case_index=np.tile(cases.ravel(), QUESTIONS),
        question_ids=[f"bench_{q:02d}" for q in range(QUESTIONS) for _ in range(per_question)],
        values=list(values[codes.ravel()]),
    )
    started = time.perf_counter()
    questions, discrepancies = question_findings(tool, data)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for q in range(QUESTIONS):
        matrix = np.where(codes[q] == 3, np.nan, codes[q]).reshape(CASES, AGENCIES).T
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal")
    theirs = time.perf_counter() - started
    answers = QUESTIONS * per_question
    print(
        f"reconcile: {answers:,} answers, {len(questions)} questions in {ours:.2f} s "
        f"({len(discrepancies):,} discrepancies); krippendorff package, ordinal alpha only: "
        f"{theirs:.2f} s; ratio ours/theirs {ours / theirs:.1f}",
        file=sys.stderr,
    )
    return [
        Result(
            name="reconcile 2,000 x 12 x 40",
            database="none (in memory)",
            figure=f"{ours:.2f} s",
            baseline=f"{theirs:.2f} s",
            ratio=ours / theirs,
            goal=Goal("<=", 5.0),
            detail="seconds for everything, over the krippendorff package's alpha alone",
        )
    ]
