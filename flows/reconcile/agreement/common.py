"""The result type, input checks and shared arithmetic of the agreement statistics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import stdtrit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Statistic:
    """One agreement statistic with its sample sizes, precision and method."""

    value: float | None
    n_units: int
    n_pairable: int
    se: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    reason: str | None = None


def ratings_matrix(
    unit_index: npt.ArrayLike,
    rater_index: npt.ArrayLike,
    codes: npt.ArrayLike,
    units: int,
    raters: int,
) -> FloatArray:
    """Scatter long-form answers into a (units, raters) matrix, NaN where absent."""
    unit = np.asarray(unit_index, dtype=np.intp)
    rater = np.asarray(rater_index, dtype=np.intp)
    code = np.asarray(codes, dtype=np.float64)
    if not unit.shape == rater.shape == code.shape or unit.ndim != 1:
        raise ValueError("unit_index, rater_index and codes must be 1-D and the same length")
    # Negative indices would silently wrap round to the last unit or rater.
    if unit.size and (unit.min() < 0 or unit.max() >= units):
        raise ValueError(f"unit_index must lie in 0..{units - 1}")
    if rater.size and (rater.min() < 0 or rater.max() >= raters):
        raise ValueError(f"rater_index must lie in 0..{raters - 1}")
    cell = unit * raters + rater
    if np.unique(cell).size != cell.size:
        raise ValueError("a (unit, rater) pair is given more than one answer")
    matrix = np.full((units, raters), np.nan)
    matrix[unit, rater] = code
    return matrix


def category_counts(ratings: npt.ArrayLike, categories: int) -> IntArray:
    """Count each unit's ratings per category: shape (units, categories)."""
    matrix = np.asarray(ratings, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("ratings must be a 2-D (units, raters) matrix")
    if categories < 1:
        raise ValueError("categories must be at least 1")
    present = ~np.isnan(matrix)
    values = matrix[present]
    if values.size and (
        values.min() < 0 or values.max() > categories - 1 or np.any(values != np.floor(values))
    ):
        raise ValueError(f"ratings must be category codes 0..{categories - 1} or NaN")
    unit = np.nonzero(present)[0]
    flat = unit * categories + values.astype(np.intp)
    counts = np.bincount(flat, minlength=matrix.shape[0] * categories)
    return counts.reshape(matrix.shape[0], categories).astype(np.intp)


def sizes(counts: IntArray) -> tuple[int, int]:
    """Return (units with two or more ratings, ratings in those units)."""
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    return int(pairable.sum()), int(per_unit[pairable].sum())


def t_interval(value: float, se: float, df: int, confidence: float) -> tuple[float, float]:
    """Return irrCAC's t interval, value ± t(df) * se, capped at 1 above."""
    half = float(stdtrit(df, 1 - (1 - confidence) / 2)) * se
    return value - half, min(1.0, value + half)


def not_computable(n_units: int, n_pairable: int, method: str, reason: str) -> Statistic:
    """Return a Statistic with no value and the reason why."""
    return Statistic(None, n_units, n_pairable, None, None, None, method, reason)
