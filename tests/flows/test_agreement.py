from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pytest

from flows.reconcile.agreement import (
    Level,
    Statistic,
    Weights,
    agreement_weights,
    category_counts,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    ratings_matrix,
)
from flows.reconcile.agreement.alpha import bootstrap_alphas, bootstrap_draws, unit_coincidences

NA = np.nan

# Gwet (2014), as shipped with irrCAC (R `cac.raw4raters`, Python `raw_4raters`): 12 units
# by 4 raters, categories 1..5, recoded here to 0..4.
GWET_4_RATERS = (
    np.array(
        [
            [1, 1, NA, 1],
            [2, 2, 3, 2],
            [3, 3, 3, 3],
            [3, 3, 3, 3],
            [2, 2, 2, 2],
            [1, 2, 3, 4],
            [4, 4, 4, 4],
            [1, 1, 2, 1],
            [2, 2, 2, 2],
            [NA, 5, 5, 5],
            [NA, NA, 1, 1],
            [NA, NA, 3, NA],
        ]
    )
    - 1
)

# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", section C: observers A-D
# (rows) by 12 units (columns), values 1..5, recoded to 0..4 and turned units-first.
KRIPPENDORFF_2011 = (
    np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
            [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
        ]
    ).T
    - 1
)

LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval")


def random_ratings(seed: int, units: int, raters: int, q: int, missing: float) -> np.ndarray:
    """Raters copy a unit's true category 70% of the time; `missing` of cells are NaN."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, size=units)
    noise = rng.integers(0, q, size=(units, raters))
    copies = rng.random((units, raters)) < 0.7
    ratings = np.where(copies, truth[:, None], noise).astype(float)
    ratings[rng.random((units, raters)) < missing] = np.nan
    return ratings


def test_percent_agreement_matches_irrcac_on_gwets_four_rater_example() -> None:
    result = percent_agreement(GWET_4_RATERS, 5)
    # irrCAC pa.coeff.raw: 0.8181818, se 0.1256090, 95% CI (0.5417184, 1).
    assert result.value == pytest.approx(0.8181818, abs=5e-8)
    assert result.se == pytest.approx(0.1256090, abs=5e-8)
    assert result.ci_low == pytest.approx(0.5417184, abs=5e-8)
    assert result.ci_high == 1.0
    assert (result.n_units, result.n_pairable) == (11, 40)


def test_gwet_ac1_matches_irrcac_on_gwets_four_rater_example() -> None:
    result = gwet_ac1(GWET_4_RATERS, 5)
    # irrCAC gwet.ac1.raw (and Python irrCAC 0.4.4 with digits=10): AC1 0.7754440681,
    # pe 0.1903211806, se 0.1429499506, 95% CI (0.4608133481, 1).
    assert round(result.value or 0, 3) == 0.775
    assert result.value == pytest.approx(0.7754440681, abs=5e-11)
    assert result.se == pytest.approx(0.1429499506, abs=5e-11)
    assert result.ci_low == pytest.approx(0.4608133481, abs=5e-11)
    assert result.ci_high == 1.0
    assert (result.n_units, result.n_pairable) == (11, 40)
    assert result.reason is None


def test_quadratic_ac2_matches_irrcac_on_gwets_four_rater_example() -> None:
    result = gwet_ac1(GWET_4_RATERS, 5, "quadratic")
    assert result.value == pytest.approx(0.9140007236, abs=5e-11)
    assert result.se == pytest.approx(0.1039622446, abs=5e-11)
    assert result.ci_low == pytest.approx(0.6851813659, abs=5e-11)


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_matches_krippendorffs_2011_worked_example(level: Level, published: float) -> None:
    result = krippendorff_alpha(KRIPPENDORFF_2011, 5, level)
    assert round(result.value or 0, 3) == published
    assert (result.n_units, result.n_pairable) == (11, 40)


# Expected figures from Python irrCAC 0.4.4 (CAC(..., categories=range(q), digits=15).gwet()),
# which ports R irrCAC's gwet.ac1.raw: (seed, units, raters, q, missing, weights, pa, value,
# se, ci_low, ci_high).
IRRCAC_AC1 = [
    (1, 12, 4, 3, 0.2, "unweighted", 0.541666666666667, 0.313542795232936,
     0.158339092049902, -0.034959196631283, 0.662044787097155),
    (2, 18, 6, 4, 0.3, "unweighted", 0.605555555555556, 0.474953952338673,
     0.113652499578246, 0.235168138268796, 0.714739766408551),
    (3, 40, 12, 5, 0.15, "unweighted", 0.643881673881674, 0.555337384453773,
     0.035852614938609, 0.482818625757875, 0.627856143149672),
    (4, 7, 3, 2, 0.25, "unweighted", 0.5, 0.246153846153846,
     0.339293225193278, -0.584066767584787, 1.0),
    (5, 15, 5, 4, 0.2, "quadratic", 0.902962962962963, 0.661691028355974,
     0.16452751127502, 0.308814612377064, 1.0),
    (6, 15, 5, 4, 0.2, "linear", 0.804444444444444, 0.564258432406262,
     0.091745079579306, 0.367484807042607, 0.761032057769917),
    (7, 15, 5, 4, 0.2, "ordinal", 0.809259259259259, 0.453909875689387,
     0.225083507115221, -0.028846234041191, 0.936665985419965),
]  # fmt: skip


@pytest.mark.parametrize("case", IRRCAC_AC1)
def test_ac1_and_ac2_match_irrcac_on_random_data_with_missing_values(case: tuple) -> None:
    seed, units, raters, q, missing, weights, pa, value, se, low, high = case
    ratings = random_ratings(seed, units, raters, q, missing)
    result = gwet_ac1(ratings, q, weights)
    assert result.value == pytest.approx(value, abs=1e-12)
    assert result.se == pytest.approx(se, abs=1e-12)
    assert result.ci_low == pytest.approx(low, abs=1e-12)
    assert result.ci_high == pytest.approx(high, abs=1e-12)
    if weights == "unweighted":
        assert percent_agreement(ratings, q).value == pytest.approx(pa, abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("units", "raters", "q", "missing"),
    [(5, 3, 3, 0.2), (12, 4, 5, 0.3), (18, 12, 4, 0.15), (200, 7, 11, 0.5), (30, 2, 2, 0.1)],
)
@pytest.mark.parametrize("seed", range(4))
def test_alpha_matches_the_krippendorff_package_on_random_data_with_missing_values(
    level: Level, units: int, raters: int, q: int, missing: float, seed: int
) -> None:
    ratings = random_ratings(seed, units, raters, q, missing)
    expected = krippendorff.alpha(reliability_data=ratings.T, level_of_measurement=level)
    result = krippendorff_alpha(ratings, q, level, replicates=0)
    assert result.value == pytest.approx(expected, abs=1e-9)


def test_each_bootstrap_replicate_is_alpha_on_the_resampled_cases() -> None:
    ratings = random_ratings(11, 15, 6, 4, 0.3)
    pairable = ratings[(~np.isnan(ratings)).sum(axis=1) >= 2]
    units = unit_coincidences(category_counts(ratings, 4))
    alphas = bootstrap_alphas(units, "ordinal", replicates=20, seed=3)
    draws = np.vstack(list(bootstrap_draws(len(pairable), 20, seed=3)))
    # The bootstrap draws from the cases ordered by their coincidence pattern.
    pattern = np.unique(units, axis=0, return_inverse=True)[1].reshape(-1)
    in_pattern_order = pairable[np.argsort(pattern, kind="stable")]
    for draw, alpha in zip(draws, alphas, strict=True):
        resample = in_pattern_order[draw].T
        assert alpha == pytest.approx(
            krippendorff.alpha(reliability_data=resample, level_of_measurement="ordinal"),
            abs=1e-9,
        )


def test_the_alpha_interval_is_deterministic_given_the_seed() -> None:
    ratings = random_ratings(5, 14, 8, 4, 0.2)
    first = krippendorff_alpha(ratings, 4, "ordinal", seed=7)
    assert krippendorff_alpha(ratings, 4, "ordinal", seed=7) == first
    assert krippendorff_alpha(ratings, 4, "ordinal", seed=8) != first
    assert first.ci_low is not None and first.ci_high is not None and first.se is not None
    assert first.ci_low < (first.value or 0) < first.ci_high


def test_results_do_not_depend_on_the_order_of_cases_or_agencies() -> None:
    ratings = random_ratings(21, 16, 7, 4, 0.25)
    rng = np.random.default_rng(1)
    shuffled = ratings[rng.permutation(16)][:, rng.permutation(7)]
    for one, other in [
        (krippendorff_alpha(ratings, 4, "ordinal"), krippendorff_alpha(shuffled, 4, "ordinal")),
        (gwet_ac1(ratings, 4), gwet_ac1(shuffled, 4)),
        (percent_agreement(ratings, 4), percent_agreement(shuffled, 4)),
    ]:
        assert one.value == pytest.approx(other.value, abs=1e-12)
        assert one.se == pytest.approx(other.se, abs=1e-12)
        assert one.ci_low == pytest.approx(other.ci_low, abs=1e-12)
        assert one.ci_high == pytest.approx(other.ci_high, abs=1e-12)


@pytest.mark.parametrize(
    "statistic",
    [
        lambda m, q: percent_agreement(m, q),
        lambda m, q: gwet_ac1(m, q),
        lambda m, q: krippendorff_alpha(m, q, "ordinal"),
    ],
    ids=["percent agreement", "AC1", "alpha"],
)
@pytest.mark.parametrize(
    ("ratings", "n_units", "n_pairable"),
    [
        (np.full((6, 4), NA), 0, 0),
        (np.array([[0, 1, 1, NA]]), 1, 3),
        (np.array([[0, 1, NA], [1, NA, NA], [NA, NA, 2]]), 1, 2),
    ],
    ids=["all missing", "one unit", "only one unit has two ratings"],
)
def test_too_few_units_with_two_ratings_give_none_with_a_reason(
    statistic, ratings: np.ndarray, n_units: int, n_pairable: int
) -> None:
    result: Statistic = statistic(ratings, 3)
    assert result.value is None and result.se is None and result.ci_low is None
    assert (result.n_units, result.n_pairable) == (n_units, n_pairable)
    assert result.reason is not None and "at least 2" in result.reason


def test_a_unit_with_one_rating_is_not_pairable_and_leaves_alpha_unchanged() -> None:
    ratings = random_ratings(9, 10, 4, 3, 0.1)
    with_single = np.vstack([ratings, [[2, NA, NA, NA]]])
    for level in LEVELS:
        before = krippendorff_alpha(ratings, 3, level, replicates=0)
        after = krippendorff_alpha(with_single, 3, level, replicates=0)
        assert after.value == pytest.approx(before.value)
        assert (after.n_units, after.n_pairable) == (before.n_units, before.n_pairable)
    assert percent_agreement(with_single, 3).value == pytest.approx(
        percent_agreement(ratings, 3).value
    )


def test_no_variation_makes_alpha_not_computable_while_ac1_is_one() -> None:
    ratings = np.array([[1, 1, 1], [1, NA, 1], [1, 1, NA], [1, 1, 1]])
    alpha = krippendorff_alpha(ratings, 3, "ordinal")
    assert alpha.value is None and alpha.reason is not None and "no variation" in alpha.reason
    assert (alpha.n_units, alpha.n_pairable) == (4, 10)
    ac1 = gwet_ac1(ratings, 3)
    assert (ac1.value, ac1.se, ac1.ci_low, ac1.ci_high) == (1.0, 0.0, 1.0, 1.0)
    assert percent_agreement(ratings, 3).value == 1.0


def test_ac1_stays_high_when_nearly_every_answer_is_yes_while_alpha_collapses() -> None:
    yes, no = 1, 0
    ratings = np.full((20, 4), float(yes))
    ratings[[0, 7], [3, 1]] = no
    ac1 = gwet_ac1(ratings, 2)
    alpha = krippendorff_alpha(ratings, 2, "nominal", replicates=0)
    assert ac1.value is not None and ac1.value > 0.94
    assert alpha.value is not None and alpha.value < 0.0


def test_a_scale_with_one_category_has_no_ac1() -> None:
    result = gwet_ac1(np.zeros((5, 3)), 1)
    assert result.value is None and result.reason == "the scale has only one category"


def test_the_alpha_interval_is_withheld_when_many_resamples_have_no_variation() -> None:
    ratings = np.array([[0, 0], [0, 0], [0, 0], [0, 0], [0, 1]], dtype=float)
    result = krippendorff_alpha(ratings, 2, "nominal", replicates=500)
    assert result.value is not None and result.ci_low is None
    assert result.reason is not None and "resamples had no variation" in result.reason


@pytest.mark.parametrize("bad", [[[0, 3]], [[0, -1]], [[0, 0.5]]])
def test_codes_outside_the_scale_are_rejected(bad: list[list[float]]) -> None:
    with pytest.raises(ValueError, match="category codes"):
        gwet_ac1(np.array(bad, dtype=float), 3)


def test_ratings_matrix_scatters_long_form_answers_and_leaves_gaps_missing() -> None:
    matrix = ratings_matrix(
        np.array([0, 0, 2, 1]), np.array([1, 0, 2, 2]), np.array([2.0, 1.0, 0.0, NA]), 3, 3
    )
    expected = np.array([[1, 2, NA], [NA, NA, NA], [NA, NA, 0]])
    np.testing.assert_array_equal(matrix, expected)


def test_ratings_matrix_rejects_two_answers_for_the_same_unit_and_rater() -> None:
    with pytest.raises(ValueError, match="more than one answer"):
        ratings_matrix(np.array([1, 1]), np.array([0, 0]), np.array([0, 1]), 2, 2)


def test_ratings_matrix_rejects_negative_indices_instead_of_wrapping_round() -> None:
    with pytest.raises(ValueError, match="unit_index"):
        ratings_matrix(np.array([-1]), np.array([0]), np.array([0]), 2, 2)


@pytest.mark.parametrize("weights", ["unweighted", "linear", "quadratic", "ordinal"])
def test_weights_are_one_on_the_diagonal_and_zero_at_the_extremes(weights: Weights) -> None:
    matrix = agreement_weights(5, weights)
    np.testing.assert_array_equal(np.diag(matrix), np.ones(5))
    assert matrix[0, 4] == matrix[4, 0] == 0.0


def test_ordinal_ac2_matches_irrcacs_published_four_rater_example() -> None:
    result = gwet_ac1(GWET_4_RATERS, 5, "ordinal")
    # Python irrCAC's test suite (raw_4raters, weights="ordinal", digits=3): AC2 0.899,
    # se 0.107, 95% CI (0.664, 1); with digits=15: 0.898939769907511, 0.106903523815436,
    # 0.663646700428235.
    assert (round(result.value or 0, 3), round(result.se or 0, 3)) == (0.899, 0.107)
    assert round(result.ci_low or 0, 3) == 0.664 and result.ci_high == 1.0
    assert result.value == pytest.approx(0.898939769907511, abs=1e-12)
    assert result.se == pytest.approx(0.106903523815436, abs=1e-12)
    assert result.ci_low == pytest.approx(0.663646700428235, abs=1e-9)
    assert result.method.startswith("Gwet's AC2 (ordinal weights)")


# Python irrCAC 0.4.4, CAC(DataFrame(ratings), weights="ordinal", categories=range(q),
# digits=15).gwet(), on random_ratings(seed, units, raters, drawn, missing) scored over q
# declared categories (q > drawn leaves categories unused): (seed, units, raters, drawn, q,
# missing, value, se, ci_low, ci_high). Shapes of Yes/Partly/No and RAG (3), Ofsted (4), 0-10.
IRRCAC_AC2_ORDINAL = [
    (11, 6, 3, 3, 3, 0.2, 0.80928836305845, 0.130964116922173, 0.472634382978162, 1.0),
    (12, 18, 5, 3, 3, 0.3, 0.485458506604842, 0.147570189832369, 0.174112621272691,
     0.796804391936993),
    (13, 12, 4, 4, 4, 0.25, 0.651911164828524, 0.145710087815546, 0.331205423870857,
     0.97261690578619),
    (14, 9, 6, 3, 3, 0.1, 0.549574335497707, 0.211570164121043, 0.061692662148757, 1.0),
    (15, 16, 5, 11, 11, 0.3, 0.643570930141336, 0.128071552489317, 0.370592877788846,
     0.916548982493826),
    (16, 40, 12, 4, 4, 0.4, 0.537394497941971, 0.063999914133931, 0.407942452740137,
     0.666846543143804),
    (17, 10, 4, 3, 5, 0.2, 0.838530628721364, 0.070378336528705, 0.679323770637131,
     0.997737486805598),
]  # fmt: skip


@pytest.mark.parametrize("case", IRRCAC_AC2_ORDINAL)
def test_ordinal_ac2_matches_irrcac_on_random_data_with_missing_values(case: tuple) -> None:
    seed, units, raters, drawn, q, missing, value, se, low, high = case
    result = gwet_ac1(random_ratings(seed, units, raters, drawn, missing), q, "ordinal")
    assert result.value == pytest.approx(value, abs=1e-6)
    assert result.se == pytest.approx(se, abs=1e-6)
    assert result.ci_low == pytest.approx(low, abs=1e-6)
    assert result.ci_high == pytest.approx(high, abs=1e-6)


@pytest.mark.parametrize("weights", ["unweighted", "ordinal"])
@pytest.mark.parametrize("seed", range(12))
def test_gwet_matches_the_irrcac_package_on_random_data_with_missing_values(
    weights: Weights, seed: int
) -> None:
    # irrCAC is not a dev dependency: its metadata pins scipy==1.12.0 (which would take numpy
    # below 2 for the whole project); `pip install --no-deps irrCAC==0.4.4` enables this test.
    irrcac_raw = pytest.importorskip("irrCAC.raw")
    pandas = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    units, raters = int(rng.integers(3, 30)), int(rng.integers(2, 13))
    drawn = int(rng.choice([2, 3, 4, 11]))
    q = drawn + int(rng.integers(0, 2))
    ratings = random_ratings(seed + 100, units, raters, drawn, float(rng.uniform(0, 0.5)))
    result = gwet_ac1(ratings, q, weights)
    if result.value is None:
        return
    with warnings.catch_warnings():
        # irrCAC edits the frame it has just filtered (pandas' SettingWithCopyWarning).
        warnings.simplefilter("ignore", pandas.errors.SettingWithCopyWarning)
        expected = irrcac_raw.CAC(
            pandas.DataFrame(ratings),
            weights="identity" if weights == "unweighted" else weights,
            categories=list(range(q)),
            digits=15,
        ).gwet()["est"]
    assert result.value == pytest.approx(expected["coefficient_value"], abs=1e-9)
    if result.se:
        assert result.se == pytest.approx(expected["se"], abs=1e-9)
        assert result.ci_low == pytest.approx(expected["confidence_interval"][0], abs=1e-9)
        assert result.ci_high == pytest.approx(expected["confidence_interval"][1], abs=1e-9)
