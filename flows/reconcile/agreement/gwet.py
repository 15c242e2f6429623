"""Percent agreement and Gwet's AC1/AC2 with irrCAC's variance (Gwet 2008; Gwet 2014)."""

from __future__ import annotations

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
    t_interval,
)

Weights = Literal["unweighted", "linear", "quadratic", "ordinal"]

MIN_UNITS = 2


def agreement_weights(categories: int, weights: Weights) -> FloatArray:
    """Return irrCAC's q*q weight matrix for category codes 0..q-1."""
    distance = np.abs(np.subtract.outer(np.arange(categories), np.arange(categories)))
    span = max(categories - 1, 1)
    if weights == "unweighted":
        return np.eye(categories)
    if weights == "linear":
        return 1.0 - distance / span
    if weights == "quadratic":
        return 1.0 - (distance / span) ** 2
    if weights == "ordinal":
        steps = distance * (distance + 1) / 2
        ordinal: FloatArray = 1.0 - steps / max(float(steps.max()), 1.0)
        return ordinal
    raise ValueError(f"unknown weights {weights!r}")


def _unit_agreement(counts: IntArray, weight: FloatArray) -> FloatArray:
    """Each unit's (weighted) share of agreeing rating pairs; 0 below two ratings."""
    per_unit = counts.sum(axis=1)
    agreeing = (counts * (counts @ weight.T - 1)).sum(axis=1)
    pairs = per_unit * (per_unit - 1)
    share: FloatArray = np.divide(agreeing, pairs, out=np.zeros(len(counts)), where=pairs > 0)
    return share


def percent_agreement(
    ratings: npt.ArrayLike, categories: int, *, confidence: float = 0.95
) -> Statistic:
    """Gwet's multi-rater percent agreement with irrCAC's standard error and t interval."""
    method = f"percent agreement; irrCAC pa.coeff.raw variance, t(n-1) {confidence:.0%} interval"
    counts = category_counts(ratings, categories)
    return _coefficient(counts, np.eye(categories), confidence, method, chance=False)


def gwet_ac1(
    ratings: npt.ArrayLike,
    categories: int,
    weights: Weights = "unweighted",
    *,
    confidence: float = 0.95,
) -> Statistic:
    """Gwet's AC1 (AC2 when weighted) with irrCAC's standard error and t interval."""
    name = "Gwet's AC1" if weights == "unweighted" else f"Gwet's AC2 ({weights} weights)"
    method = f"{name}; irrCAC gwet.ac1.raw variance, t(n-1) {confidence:.0%} interval"
    counts = category_counts(ratings, categories)
    if categories < 2:
        n_units, n_pairable = sizes(counts)
        return not_computable(n_units, n_pairable, method, "the scale has only one category")
    weight = agreement_weights(categories, weights)
    return _coefficient(counts, weight, confidence, method, chance=True)


def _chance_agreement(counts: IntArray, weight: FloatArray) -> tuple[float, FloatArray]:
    """Gwet's chance agreement pe and its per-unit terms (units with 1+ ratings)."""
    q = weight.shape[0]
    scale = float(weight.sum()) / (q * (q - 1))
    per_unit = counts.sum(axis=1)
    pi = (counts / per_unit[:, None]).mean(axis=0)
    unit_pe: FloatArray = scale * (counts @ (1 - pi)) / per_unit
    return scale * float((pi * (1 - pi)).sum()), unit_pe


def _coefficient(
    counts: IntArray, weight: FloatArray, confidence: float, method: str, *, chance: bool
) -> Statistic:
    """Compute percent agreement or AC1/AC2 and irrCAC's linearised variance."""
    n_units, n_pairable = sizes(counts)
    if n_units < MIN_UNITS:
        reason = f"{n_units} unit(s) with two or more ratings; at least {MIN_UNITS} needed"
        return not_computable(n_units, n_pairable, method, reason)
    # irrCAC drops units nobody rated; units with one rating still count in n and in pi.
    counts = counts[counts.sum(axis=1) > 0]
    n = len(counts)
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    unit_pa = _unit_agreement(counts, weight)
    pa = float(unit_pa[pairable].mean())
    pe, unit_pe = _chance_agreement(counts, weight) if chance else (0.0, np.zeros(n))
    value = (pa - pe) / (1 - pe)
    unit_value = (n / n_units) * (unit_pa - pe * pairable) / (1 - pe)
    # Gwet (2008): the chance-agreement term's own sampling variation enters the variance.
    unit_x = unit_value - 2 * (1 - value) * (unit_pe - pe) / (1 - pe)
    se = float(np.sqrt(((unit_x - value) ** 2).sum() / (n * (n - 1))))
    low, high = t_interval(value, se, n - 1, confidence)
    return Statistic(value, n_units, n_pairable, se, low, high, method)
