"""Inter-agency agreement on shared questions: pure, vectorised statistics.

Imports nothing of the project (numpy and scipy only): reconcile/ feeds it matrices.

Input is one (units, raters) float matrix per shared question: cases by agencies, holding
category codes 0..q-1 (ordered by code for ordinal use) and NaN for N/A, "not known to this
agency" or no answer. Missing ratings are excluded; `q` is the size of the scale, so unused
categories still count in AC1's chance agreement (irrCAC's ``categ.labels``). Every result
carries n: units with two or more ratings and the ratings in them. A statistic that cannot
be computed has ``value=None`` and a ``reason``; so does a value whose interval cannot be.

Sources:
- Percent agreement and Gwet's AC1/AC2: Gwet, K. L. (2008) "Computing inter-rater
  reliability and its variance in the presence of high agreement", Br J Math Stat Psychol
  61, 29-48; Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed. The variances and
  intervals are those of R irrCAC 1.0 ``pa.coeff.raw`` and ``gwet.ac1.raw``: linearised
  per-unit terms, no finite-population correction (N = Inf), n = units with at least one
  rating, interval value ± t(0.975, n-1) * se capped at 1. Weights as irrCAC's.
- Krippendorff's alpha: Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability"
  (coincidence matrix; δ² nominal, ordinal Σ_{g=c..k} n_g - (n_c+n_k)/2 squared, interval
  (c-k)² on the codes). The interval is a percentile interval from a unit (case) bootstrap:
  cases are resampled with replacement, alpha is recomputed in full (ordinal distances
  from each resample's own margins), default 1,000 resamples, seed 0: deterministic, and
  the same whatever the order of cases. Resamples without variation are dropped; above 10%
  no interval is given. It is not Krippendorff's own bootstrap (Hayes & Krippendorff 2007),
  and with 5-18 cases a percentile bootstrap tends to be too narrow: read it as a lower
  bound on the uncertainty.

Kappa is deliberately absent: it collapses when nearly every answer is "yes" (the kappa
paradox) while AC1 does not.
"""

from flows.reconcile.agreement.alpha import Level, krippendorff_alpha
from flows.reconcile.agreement.common import Statistic, category_counts, ratings_matrix
from flows.reconcile.agreement.gwet import Weights, agreement_weights, gwet_ac1, percent_agreement

__all__ = [
    "Level",
    "Statistic",
    "Weights",
    "agreement_weights",
    "category_counts",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "ratings_matrix",
]
