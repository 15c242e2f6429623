"""Krippendorff's alpha from the coincidence matrix, with a unit-bootstrap interval."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from flows.reconcile.agreement.common import (
    FloatArray,
    IntArray,
    Statistic,
    category_counts,
    not_computable,
    sizes,
)

Level = Literal["nominal", "ordinal", "interval"]

MIN_UNITS = 2
# Above this share of bootstrap resamples without variation the interval says little.
MAX_UNDEFINED_SHARE = 0.1
BLOCK_DRAWS = 2**16


def unit_coincidences(counts: IntArray) -> FloatArray:
    """Each pairable unit's coincidence matrix, flattened: shape (pairable units, q*q)."""
    per_unit = counts.sum(axis=1)
    kept = counts[per_unit >= 2].astype(np.float64)
    scale = 1.0 / (kept.sum(axis=1) - 1)
    q = counts.shape[1]
    outer = np.einsum("uc,uk->uck", kept, kept)
    outer[:, np.arange(q), np.arange(q)] -= kept
    flat: FloatArray = (outer * scale[:, None, None]).reshape(len(kept), q * q)
    return flat


def squared_distances(margins: FloatArray, level: Level) -> FloatArray:
    """Krippendorff's δ² for each row of category margins: shape (..., q, q)."""
    q = margins.shape[-1]
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(q), (*margins.shape[:-1], q, q))
    if level == "interval":
        position = np.broadcast_to(np.arange(q, dtype=np.float64), margins.shape)
    elif level == "ordinal":
        # Σ_{g=c..k} n_g - (n_c + n_k)/2 is the gap between the mid-cumulative counts.
        position = np.cumsum(margins, axis=-1) - margins / 2
    else:
        raise ValueError(f"unknown level {level!r}")
    return (position[..., :, None] - position[..., None, :]) ** 2


def alpha_from_coincidences(coincidences: FloatArray, level: Level) -> FloatArray:
    """Alpha for each row of flattened coincidence matrices; NaN where nothing varies."""
    q = round(float(np.sqrt(coincidences.shape[-1])))
    matrix = coincidences.reshape(*coincidences.shape[:-1], q, q)
    margins = matrix.sum(axis=-1)
    total = margins.sum(axis=-1)
    delta = squared_distances(margins, level)
    observed = (matrix * delta).sum(axis=(-2, -1))
    expected = np.einsum("...c,...k,...ck->...", margins, margins, delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (total - 1) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


def bootstrap_draws(units: int, replicates: int, seed: int) -> Iterator[IntArray]:
    """Yield resampled unit indices (replicates, units), a block of replicates at a time."""
    rng = np.random.default_rng(seed)
    # Blocks that fit in cache run several times faster than one (replicates, units) array;
    # the int64 stream is the same however it is cut, so results do not depend on the block.
    block = max(1, BLOCK_DRAWS // units)
    for start in range(0, replicates, block):
        yield rng.integers(0, units, size=(min(block, replicates - start), units))


@lru_cache(maxsize=8)
def resample_counts(units: int, replicates: int, seed: int) -> IntArray:
    """How often each unit is drawn in each resample: shape (replicates, units), read-only."""
    # It depends only on the sizes and the seed, so the questions of a round share it.
    blocks = []
    for draws in bootstrap_draws(units, replicates, seed):
        rows = len(draws)
        flat = draws + (np.arange(rows) * units)[:, None]
        blocks.append(np.bincount(flat.ravel(), minlength=rows * units).reshape(rows, units))
    counts: IntArray = np.vstack(blocks) if blocks else np.zeros((0, units), dtype=np.intp)
    counts.flags.writeable = False
    return counts


def bootstrap_alphas(units: FloatArray, level: Level, *, replicates: int, seed: int) -> FloatArray:
    """Alpha on `replicates` resamples of the pairable units, drawn with replacement."""
    # Units with the same coincidences are interchangeable: count draws per distinct row.
    # Sorting the rows' pattern ids makes the interval independent of the order of cases.
    # Rows in np.unique(axis=0)'s (lexicographic) order, found with one lexsort.
    ordered = units[np.lexsort(units.T[::-1])]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    patterns, starts = ordered[first], np.flatnonzero(first)
    times = np.add.reduceat(resample_counts(len(units), replicates, seed), starts, axis=1)
    # einsum, not @: a product this size wakes BLAS's threads, which cost more than it.
    resampled = np.einsum("rp,pk->rk", times.astype(np.float64), patterns)
    return alpha_from_coincidences(resampled, level)


def krippendorff_alpha(
    ratings: npt.ArrayLike,
    categories: int,
    level: Level = "nominal",
    *,
    confidence: float = 0.95,
    replicates: int = 1000,
    seed: int = 0,
) -> Statistic:
    """Krippendorff's alpha with a percentile interval from a seeded unit bootstrap."""
    method = f"Krippendorff's alpha ({level}); " + (
        f"{confidence:.0%} percentile interval from {replicates} unit-bootstrap resamples, "
        f"seed {seed}"
        if replicates >= 2
        else "no interval requested"
    )
    counts = category_counts(ratings, categories)
    n_units, n_pairable = sizes(counts)
    if n_units < MIN_UNITS:
        reason = f"{n_units} unit(s) with two or more ratings; at least {MIN_UNITS} needed"
        return not_computable(n_units, n_pairable, method, reason)
    units = unit_coincidences(counts)
    value = float(alpha_from_coincidences(units.sum(axis=0), level))
    if np.isnan(value):
        reason = "no variation: every pairable rating is in the same category"
        return not_computable(n_units, n_pairable, method, reason)
    if replicates < 2:
        return Statistic(value, n_units, n_pairable, None, None, None, method, None)
    alphas = bootstrap_alphas(units, level, replicates=replicates, seed=seed)
    defined = alphas[~np.isnan(alphas)]
    undefined = 1 - len(defined) / replicates
    if undefined > MAX_UNDEFINED_SHARE:
        reason = f"interval not computable: {undefined:.0%} of resamples had no variation"
        return Statistic(value, n_units, n_pairable, None, None, None, method, reason)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    se = float(defined.std(ddof=1))
    return Statistic(value, n_units, n_pairable, se, float(low), float(high), method)
