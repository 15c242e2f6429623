"""Agreement in plain English: Landis and Koch's bands and the sentence per shared question."""

from __future__ import annotations

import numpy as np
import pytest

from flows.reconcile.agreement import gwet_ac1, percent_agreement
from flows.reconcile.agreement.reading import (
    agreement_sentence,
    band,
    coefficient_text,
    percent,
    short_label,
)
from flows.reconcile.findings import AgreementFigure


def figure(value: float | None, low: float | None = None, high: float | None = None, n: int = 19):
    return AgreementFigure(value=value, ci_low=low, ci_high=high, n_units=n, method="m")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-0.3, "poor"),
        (-0.006, "poor"),  # prints -0.01
        (-0.004, "slight"),  # prints 0.00
        (0.0, "slight"),
        (0.2, "slight"),
        (0.204, "slight"),
        (0.205, "slight"),  # a binary 0.20499..., printed 0.20
        (0.206, "fair"),  # prints 0.21
        (0.21, "fair"),
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_a_coefficient_is_read_in_landis_and_kochs_band_as_printed(
    value: float, expected: str
) -> None:
    assert band(value) == expected


def test_the_sentence_reads_share_band_coefficient_interval_and_n() -> None:
    sentence = agreement_sentence(figure(0.7411), figure(0.534, 0.3051, 0.7512), "AC2")
    assert sentence == (
        "pairs of agencies gave the same answer 74% of the time; agreement beyond chance was "
        "moderate "
        "(AC2 0.53, 95% CI 0.31 to 0.75, 19 cases)"
    )
    # 0.63 is in Landis and Koch's 0.61-0.80 band.
    assert "was substantial (AC2 0.63," in agreement_sentence(figure(0.74), figure(0.63), "AC2")


def test_the_sentence_reads_the_statistics_own_results_too() -> None:
    ratings = np.array([[0, 0, 1], [1, 1, 1], [2, 2, 2], [0, 1, np.nan], [2, 2, 1]])
    share, ac2 = percent_agreement(ratings, 3), gwet_ac1(ratings, 3, "ordinal")
    assert share.value is not None and ac2.value is not None
    sentence = agreement_sentence(share, ac2, "AC2")
    assert sentence.startswith(
        f"pairs of agencies gave the same answer {round(100 * share.value)}% of the time; "
    )
    assert f"was {band(ac2.value)} (AC2 {ac2.value:.2f}, 95% CI " in sentence
    assert sentence.endswith(", 5 cases)")


def test_figures_that_cannot_be_computed_are_said_plainly() -> None:
    assert agreement_sentence(figure(None, n=1), figure(None, n=1), "AC1") == (
        "too few cases had answers from two or more agencies to measure agreement (1 case)"
    )
    assert agreement_sentence(figure(1.0), figure(None), "alpha") == (
        "pairs of agencies gave the same answer 100% of the time; agreement beyond chance "
        "could not be measured "
        "(alpha not computable, 19 cases)"
    )
    assert coefficient_text(figure(0.5), "alpha") == "alpha 0.50, no interval, 19 cases"


def test_negative_values_and_other_confidence_levels_print_plainly() -> None:
    text = coefficient_text(figure(-0.004, -0.31, 0.2), "AC1", confidence=0.9)
    assert text == "AC1 0.00, 90% CI -0.31 to 0.20, 19 cases"
    assert percent(0.745) == "74%" and percent(0.755) == "76%"


def test_statistics_are_named_short_in_a_sentence() -> None:
    assert [short_label(s) for s in ("Gwet's AC2", "Gwet's AC1", "Krippendorff's alpha")] == [
        "AC2",
        "AC1",
        "alpha",
    ]
    assert short_label("percent agreement") == "percent agreement"
