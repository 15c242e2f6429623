"""Reconciling 2,000 cases x 12 agencies x 40 questions (960,000 answers), in memory.

Baseline: the reference packages computing the same statistics per question, without
intervals: the `krippendorff` package's ordinal alpha and irrCAC's Gwet coefficient (AC2,
ordinal weights, over the scale's three categories; irrCAC always adds its standard error).
Figures, on the same 40 (cases, agencies) matrices, best of three, taking turns:
- ours without intervals: percent agreement, Gwet's AC2 (with its standard error) and
  ordinal alpha without the bootstrap; goal: no slower than the baseline (ratio <= 1.0);
- the whole reconciliation from long-form answers: compliance per agency and per case,
  roll-ups, the three statistics with intervals (alpha's from 500 resamples), a row per case
  and shared question, and the ranked agenda; goal: ratio <= 5.0.

irrCAC is not a project dependency (its metadata pins scipy==1.12.0); install it beside the
project with `pip install --no-deps irrCAC==0.4.4` (it also needs pandas). Without it the
baseline is the krippendorff package alone and the rows say so.
BENCH_RECONCILE_CASES changes the number of cases.
"""

from __future__ import annotations

import copy
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from bench import Goal, Result

CASES = int(os.environ.get("BENCH_RECONCILE_CASES", "2000"))
AGENCIES = 12
QUESTIONS = 40
CATEGORIES = 3  # No, Partly, Yes
REPEATS = 3


def _tool() -> Any:
    from models.questionnaire import Tool
    from models.questionnaire.catalog import load_tool

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


def _interleaved(*works: Callable[[], Any]) -> list[tuple[float, Any]]:
    """Each work's fastest of REPEATS runs and its last result, the works taking turns (so
    that a busy spell on a shared machine does not fall on one of them only)."""
    best = [float("inf")] * len(works)
    results: list[Any] = [None] * len(works)
    for _ in range(REPEATS):
        for i, work in enumerate(works):
            results[i] = None  # the previous run's output is freed before the clock starts
            started = time.perf_counter()
            results[i] = work()
            best[i] = min(best[i], time.perf_counter() - started)
    return list(zip(best, results, strict=True))


def _irrcac() -> Any:
    try:
        from irrCAC.raw import CAC
    except ImportError:
        return None
    return CAC


def _reference(matrices: list[np.ndarray]) -> tuple[list[float], list[float]]:
    """Ordinal alpha (krippendorff) and ordinal AC2 (irrCAC, if installed) per question."""
    import krippendorff

    cac = _irrcac()
    alphas, ac2s = [], []
    for matrix in matrices:
        alphas.append(
            float(
                krippendorff.alpha(
                    reliability_data=matrix.T,
                    level_of_measurement="ordinal",
                    value_domain=list(range(CATEGORIES)),
                )
            )
        )
        if cac is not None:
            import pandas

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # irrCAC's own SettingWithCopyWarning
                estimate = cac(
                    pandas.DataFrame(matrix), weights="ordinal", categories=[0, 1, 2]
                ).gwet()["est"]
            ac2s.append(float(estimate["coefficient_value"]))
    return alphas, ac2s


def _ours(matrices: list[np.ndarray]) -> tuple[list[float], list[float]]:
    """Our three statistics per question, alpha without its bootstrap interval."""
    from flows.reconcile.agreement import gwet_ac1, krippendorff_alpha, percent_agreement

    alphas, ac2s = [], []
    for matrix in matrices:
        percent_agreement(matrix, CATEGORIES)
        ac2s.append(gwet_ac1(matrix, CATEGORIES, "ordinal").value or np.nan)
        alphas.append(krippendorff_alpha(matrix, CATEGORIES, "ordinal", replicates=0).value)
    return alphas, ac2s


def _whole(tool: Any, data: Any) -> Any:
    """Our whole reconciliation, cold: no resample counts kept from an earlier run."""
    from flows.reconcile.agreement.alpha import resample_counts
    from flows.reconcile.compute import question_findings

    resample_counts.cache_clear()
    return question_findings(tool, data)


def run() -> list[Result]:
    """Time the reference packages, our statistics alone and our whole reconciliation."""
    from flows.reconcile.compute import RoundAnswers

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
    matrices = [
        np.where(codes[q] == 3, np.nan, codes[q]).astype(float).reshape(CASES, AGENCIES)
        for q in range(QUESTIONS)
    ]
    (
        (baseline, (their_alphas, their_ac2s)),
        (statistics, (our_alphas, our_ac2s)),
        (whole, (questions, agenda)),
    ) = _interleaved(
        lambda: _reference(matrices),
        lambda: _ours(matrices),
        lambda: _whole(tool, data),
    )
    assert np.allclose(our_alphas, their_alphas, atol=1e-9), "alpha disagrees with krippendorff"
    with_irrcac = bool(their_ac2s)
    if with_irrcac:
        assert np.allclose(our_ac2s, their_ac2s, atol=1e-5), "AC2 disagrees with irrCAC"
    reference = (
        "krippendorff alpha + irrCAC AC2"
        if with_irrcac
        else "krippendorff alpha only (irrCAC not installed)"
    )
    print(
        f"reconcile: {QUESTIONS * per_question:,} answers, {len(questions)} questions, "
        f"{len(agenda):,} agenda items; baseline ({reference}, no intervals) {baseline:.3f} s; "
        f"ours without intervals {statistics:.3f} s (ratio {statistics / baseline:.2f}, goal "
        f"<= 1.0); whole reconcile {whole:.2f} s (ratio {whole / baseline:.2f}, goal <= 5.0); "
        f"best of {REPEATS}",
        file=sys.stderr,
    )
    return [
        Result(
            name="reconcile 2,000 x 12 x 40: statistics",
            database="none (in memory)",
            figure=f"{statistics:.3f} s",
            baseline=f"{baseline:.3f} s",
            ratio=statistics / baseline,
            goal=Goal("<=", 1.0),
            detail=f"PA + AC2 + ordinal alpha without intervals, over {reference}, no intervals",
        ),
        Result(
            name="reconcile 2,000 x 12 x 40: whole",
            database="none (in memory)",
            figure=f"{whole:.2f} s",
            baseline=f"{baseline:.3f} s",
            ratio=whole / baseline,
            goal=Goal("<=", 5.0),
            detail=f"everything with intervals and case rows, over {reference}, no intervals",
        ),
    ]
