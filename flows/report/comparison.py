"""Re-audit against baseline: the change in case-level compliance per question (pure)."""

from __future__ import annotations

import math

from flows.reconcile.findings import Compliance, Findings
from flows.report.model import ComparisonRow, Figure

MIN_CASES = 5
Z = 1.959964


def figure(compliance: Compliance) -> Figure:
    """The printed form of a compliance figure."""
    return Figure(
        percent=compliance.percent,
        met=compliance.met,
        applicable=compliance.applicable,
        label=compliance.label,
    )


def wilson(met: float, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion."""
    p = met / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(now: Compliance, then: Compliance) -> tuple[float, float]:
    """Newcombe's hybrid score 95% interval of now minus then (as proportions)."""
    p1, p0 = now.met / now.applicable, then.met / then.applicable
    l1, u1 = wilson(now.met, now.applicable)
    l0, u0 = wilson(then.met, then.applicable)
    diff = p1 - p0
    low = diff - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return low, high


def caution(now: Compliance, then: Compliance) -> str | None:
    """Why the change cannot be read as real, or None when it can."""
    if min(now.applicable, then.applicable) < MIN_CASES:
        return f"fewer than {MIN_CASES} cases in a round: too few to tell"
    low, high = difference_interval(now, then)
    if low <= 0 <= high:
        return (
            f"could be chance with these numbers: 95% interval {100 * low:+.0f} "
            f"to {100 * high:+.0f} points"
        )
    return None


def direction(points: int) -> str:
    """improved, unchanged or worse."""
    return "improved" if points > 0 else "worse" if points < 0 else "unchanged"


def compare(current: Findings, baseline: Findings) -> list[ComparisonRow]:
    """Questions with case-level figures in both rounds, in the current tool's order."""
    before = {q.id: q.case_level for q in baseline.questions}
    rows = []
    for question in current.questions:
        now, then = question.case_level, before.get(question.id)
        if now is None or then is None or not now.applicable or not then.applicable:
            continue
        points = round(100 * (now.met / now.applicable - then.met / then.applicable))
        rows.append(
            ComparisonRow(
                id=question.id,
                text=question.text,
                finding=question.finding,
                baseline=figure(then),
                current=figure(now),
                change_points=points,
                direction=direction(points),
                caution=caution(now, then),
            )
        )
    return rows
