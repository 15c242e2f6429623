"""Agreement statistics: our full set per question against the `krippendorff` package.

2,000 cases x 12 agencies x 40 ordinal questions (4 grades, ~15% missing): 960,000 answer
slots. Ours scatters the long-form answers into one matrix per question, then computes
percent agreement, Gwet's AC1 (with irrCAC's standard error and interval) and ordinal
Krippendorff's alpha with its unit-bootstrap interval. The baseline is
`krippendorff.alpha(level_of_measurement="ordinal")` alone on the same 40 matrices.
BENCH_AGREEMENT_REPLICATES sets the bootstrap resamples (default 1,000, as in production).
"""

from __future__ import annotations

import os
import sys
import time
from itertools import pairwise

import numpy as np

from bench import Result

CASES, AGENCIES, QUESTIONS, GRADES = 2_000, 12, 40, 4
MISSING = 0.15
REPLICATES = int(os.environ.get("BENCH_AGREEMENT_REPLICATES", "1000"))


def _answers(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Long-form answers (question, case, agency, grade); missing answers are absent."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, GRADES, size=(QUESTIONS, CASES, 1))
    shift = rng.choice([-1, 0, 0, 0, 1], size=(QUESTIONS, CASES, AGENCIES))
    grades = np.clip(truth + shift, 0, GRADES - 1)
    answered = rng.random((QUESTIONS, CASES, AGENCIES)) >= MISSING
    question, case, agency = np.nonzero(answered)
    return question, case, agency, grades[answered].astype(np.float64)


def _ours(
    question: np.ndarray, case: np.ndarray, agency: np.ndarray, grade: np.ndarray
) -> tuple[float, float, list[float]]:
    """Time the full set; return (total seconds, alpha-only seconds, alphas)."""
    from flows.reconcile.agreement import (
        gwet_ac1,
        krippendorff_alpha,
        percent_agreement,
        ratings_matrix,
    )

    alpha_seconds, alphas = 0.0, []
    started = time.perf_counter()
    for a, b in pairwise(np.searchsorted(question, np.arange(QUESTIONS + 1))):
        matrix = ratings_matrix(case[a:b], agency[a:b], grade[a:b], CASES, AGENCIES)
        percent_agreement(matrix, GRADES)
        gwet_ac1(matrix, GRADES, "ordinal")
        alpha_started = time.perf_counter()
        alpha = krippendorff_alpha(matrix, GRADES, "ordinal", replicates=REPLICATES)
        alpha_seconds += time.perf_counter() - alpha_started
        alphas.append(alpha.value or float("nan"))
    return time.perf_counter() - started, alpha_seconds, alphas


def _alpha_only(matrices: list[np.ndarray]) -> float:
    """Time our ordinal alpha without its interval, like for like with the package."""
    from flows.reconcile.agreement import krippendorff_alpha

    started = time.perf_counter()
    for matrix in matrices:
        krippendorff_alpha(matrix, GRADES, "ordinal", replicates=0)
    return time.perf_counter() - started


def _theirs(matrices: list[np.ndarray]) -> tuple[float, list[float]]:
    """Time krippendorff.alpha (ordinal) alone on the same matrices."""
    import krippendorff

    started = time.perf_counter()
    alphas = [
        float(krippendorff.alpha(reliability_data=m.T, level_of_measurement="ordinal"))
        for m in matrices
    ]
    return time.perf_counter() - started, alphas


def run() -> list[Result]:
    """Run both; ratios are our seconds over the package's (lower is better for us)."""
    from flows.reconcile.agreement import ratings_matrix

    question, case, agency, grade = _answers(seed=9)
    bounds = np.searchsorted(question, np.arange(QUESTIONS + 1))
    matrices = [
        ratings_matrix(case[a:b], agency[a:b], grade[a:b], CASES, AGENCIES)
        for a, b in pairwise(bounds)
    ]
    ours, ours_alpha, our_alphas = _ours(question, case, agency, grade)
    theirs, their_alphas = _theirs(matrices)
    point = _alpha_only(matrices)
    assert np.allclose(our_alphas, their_alphas, atol=1e-9), "alpha disagrees with the package"
    answers = len(grade)
    print(
        f"agreement: {QUESTIONS} questions x {CASES} cases x {AGENCIES} agencies "
        f"({answers:,} of {QUESTIONS * CASES * AGENCIES:,} answered) in {ours:.2f} s (ordinal "
        f"alpha with {REPLICATES} resamples: {ours_alpha:.2f} s; without the interval: "
        f"{point:.3f} s); krippendorff.alpha alone: {theirs:.3f} s; ratio ours/theirs "
        f"{ours / theirs:.2f} (alpha alone {point / theirs:.2f})",
        file=sys.stderr,
    )
    baseline = f"{theirs:.3f} s"
    detail = "seconds, ours over the krippendorff package's ordinal alpha (lower is better)"
    return [
        Result(
            name="agreement: all, CI",
            database="none (in memory)",
            figure=f"{ours:.2f} s",
            baseline=baseline,
            ratio=ours / theirs,
            detail=f"PA + ordinal AC2 + ordinal alpha + {REPLICATES}-resample CI: {detail}",
        ),
        Result(
            name="agreement: alpha, CI",
            database="none (in memory)",
            figure=f"{ours_alpha:.2f} s",
            baseline=baseline,
            ratio=ours_alpha / theirs,
            detail=f"ordinal alpha + {REPLICATES}-resample CI: {detail}",
        ),
        Result(
            name="agreement: alpha",
            database="none (in memory)",
            figure=f"{point:.3f} s",
            baseline=baseline,
            ratio=point / theirs,
            detail=f"ordinal alpha without interval: {detail}",
        ),
    ]
