"""Agreement in plain English: Landis and Koch's bands and one sentence per shared question.

The words for a chance-corrected coefficient (Gwet's AC1/AC2, Krippendorff's alpha) are
Landis and Koch's bands (Landis, J. R. & Koch, G. G. (1977) "The measurement of observer
agreement for categorical data", Biometrics 33, 159-174), named as such wherever shown:

    below 0.00  poor            0.41-0.60  moderate
    0.00-0.20   slight          0.61-0.80  substantial
    0.21-0.40   fair            0.81-1.00  almost perfect

A value is banded as it is printed, rounded to two decimals, so the word never contradicts
the number beside it (0.205 prints 0.21: fair). The bands were proposed for kappa and are a
convention, not a test; with 5-18 cases the interval matters more than the word.

Functions (small and typed; a figure is anything with `value`, `ci_low`, `ci_high` and
`n_units`, such as the findings' AgreementFigure or the statistics' Statistic):

- `band(value) -> Band`: the Landis and Koch word for a coefficient.
- `percent(value) -> str`: a share as a whole percentage, "74%".
- `coefficient_text(figure, label, confidence=0.95) -> str`:
  "AC2 0.63, 95% CI 0.41 to 0.85, 19 cases".
- `agreement_sentence(share, coefficient, label, confidence=0.95) -> str`:
  "pairs of agencies gave the same answer 74% of the time; agreement beyond chance was
  moderate (AC2 0.63, 95% CI 0.41 to 0.85, 19 cases)", with plain wording when a figure
  cannot be computed. Percent agreement averages the pairs of agencies answering each case,
  so it is not the share of cases on which every agency agreed (the board report gives that
  as "gave the same answer on N% of cases"); the sentence says pairs so that the two never
  read as one figure.
- `short_label(statistic) -> str`: "Gwet's AC2" -> "AC2", "Krippendorff's alpha" -> "alpha".
"""

from __future__ import annotations

from typing import Literal, Protocol

Band = Literal["poor", "slight", "fair", "moderate", "substantial", "almost perfect"]

BANDS: tuple[tuple[float, Band], ...] = (
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.00, "almost perfect"),
)
"""Landis and Koch's bands by their upper bound (two decimals); below 0.00 is poor."""

SCALE_NAME = "Landis and Koch's bands"


class Figure(Protocol):
    """What a reading needs of an agreement figure."""

    @property
    def value(self) -> float | None: ...

    @property
    def ci_low(self) -> float | None: ...

    @property
    def ci_high(self) -> float | None: ...

    @property
    def n_units(self) -> int: ...


def band(value: float) -> Band:
    """Landis and Koch's word for a coefficient, banded as printed (two decimals)."""
    shown = round(value, 2)
    if shown < 0:
        return "poor"
    for upper, name in BANDS:
        if shown <= upper:
            return name
    return "almost perfect"


def percent(value: float) -> str:
    """A share from 0 to 1 as a whole percentage."""
    return f"{round(100 * value)}%"


def _number(value: float) -> str:
    # Two decimals, and never "-0.00" (which would read as below zero: poor).
    return f"{round(value, 2) or 0.0:.2f}"


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


def coefficient_text(figure: Figure, label: str, confidence: float = 0.95) -> str:
    """The coefficient with its interval and n, e.g. "AC2 0.63, 95% CI 0.41 to 0.85, 19 cases"."""
    if figure.value is None:
        return f"{label} not computable, {_cases(figure.n_units)}"
    parts = [f"{label} {_number(figure.value)}"]
    if figure.ci_low is not None and figure.ci_high is not None:
        low, high = _number(figure.ci_low), _number(figure.ci_high)
        parts.append(f"{confidence:.0%} CI {low} to {high}")
    else:
        parts.append("no interval")
    parts.append(_cases(figure.n_units))
    return ", ".join(parts)


def agreement_sentence(
    share: Figure, coefficient: Figure, label: str, confidence: float = 0.95
) -> str:
    """One plain sentence: how often agencies agreed, and how far beyond chance."""
    if share.value is None:
        return (
            f"too few cases had answers from two or more agencies to measure agreement "
            f"({_cases(share.n_units)})"
        )
    agreed = f"pairs of agencies gave the same answer {percent(share.value)} of the time"
    detail = coefficient_text(coefficient, label, confidence)
    if coefficient.value is None:
        return f"{agreed}; agreement beyond chance could not be measured ({detail})"
    return f"{agreed}; agreement beyond chance was {band(coefficient.value)} ({detail})"


def short_label(statistic: str) -> str:
    """The short name used in a sentence: "Gwet's AC2" -> "AC2"."""
    if statistic.startswith("Gwet's "):
        return statistic.removeprefix("Gwet's ")
    if statistic.startswith("Krippendorff's "):
        return statistic.removeprefix("Krippendorff's ")
    return statistic
