"""Shared questions: agreement between agencies, each case's answers and the meeting's agenda."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import numpy as np
from numpy.typing import NDArray

from flows.reconcile.agreement import (
    Level,
    Statistic,
    Weights,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from flows.reconcile.findings import (
    AgreementFigure,
    CaseAnswers,
    Compliance,
    Discrepancy,
    QuestionFindings,
)
from models.questionnaire import NA, BaseQuestion
from models.questionnaire.scales import SCALE_0_10, Rollup

SCORE_LABELS = {1.0: "met", 0.5: "partly met", 0.0: "not met"}
UNANSWERED, NOT_APPLICABLE = -2, -1
REPLICATES = 500


@dataclass(frozen=True)
class Agenda:
    """One question's agenda items and their sort keys (rows: minus spread, not a split,
    minus the number of different answers, the case's rank by reference)."""

    question_id: str
    keys: NDArray[np.intp]
    items: list[Discrepancy]


@dataclass(frozen=True)
class SharedAnswers:
    """One shared question's answers as (case, agency) matrices."""

    codes: NDArray[np.intp]  # scale code, NOT_APPLICABLE (N/A, unknown value) or UNANSWERED
    scores: NDArray[np.float64]  # 1, 0.5 or 0 against the standard; NaN where none applies

    @property
    def ratings(self) -> NDArray[np.float64]:
        """Scale codes as floats, NaN where missing (the agreement statistics' input)."""
        return np.where(self.codes >= 0, self.codes, np.nan)


def typed(question: BaseQuestion, value: str) -> str | int:
    """An answer as the question checks it (0-10 scores are numbers)."""
    return int(value) if question.ordered_values == SCALE_0_10 and value != NA else value


def ordinal_agreement(question: BaseQuestion) -> bool:
    """Whether agreement on the question is ordinal: a ranked scale not set `nominal`."""
    return question.is_ordinal and question.agreement != "nominal"


def _figure(statistic: Statistic, name: str, weights: str) -> AgreementFigure:
    return AgreementFigure(
        value=statistic.value,
        n_units=statistic.n_units,
        se=statistic.se,
        ci_low=statistic.ci_low,
        ci_high=statistic.ci_high,
        method=statistic.method,
        reason=statistic.reason,
        statistic=name,
        weights=weights,
    )


def agreement_figures(
    ratings: NDArray[np.float64], categories: int, *, ordinal: bool, replicates: int = REPLICATES
) -> dict[str, AgreementFigure]:
    """Percent agreement, Gwet's AC1 or ordinal AC2, and nominal or ordinal alpha."""
    weights: Weights = "ordinal" if ordinal else "unweighted"
    level: Level = "ordinal" if ordinal else "nominal"
    gwet = gwet_ac1(ratings, categories, weights)
    alpha = krippendorff_alpha(ratings, categories, level, replicates=replicates)
    return {
        "percent_agreement": _figure(
            percent_agreement(ratings, categories), "percent agreement", "unweighted"
        ),
        # The key predates AC2; `statistic` says which of Gwet's coefficients it holds.
        "gwet_ac1": _figure(gwet, "Gwet's AC2" if ordinal else "Gwet's AC1", weights),
        "krippendorff_alpha": _figure(alpha, "Krippendorff's alpha", level),
    }


def roll_up_scores(rule: Rollup, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each case's provisional score from its agencies' scores (rows); NaN where none apply."""
    present = ~np.isnan(scores)
    counts = present.sum(axis=1)
    with np.errstate(all="ignore"):
        if rule == Rollup.all:
            result = np.where(counts > 0, np.min(np.where(present, scores, np.inf), axis=1), np.nan)
        elif rule == Rollup.any:
            result = np.where(
                counts > 0, np.max(np.where(present, scores, -np.inf), axis=1), np.nan
            )
        else:  # the lower median: a tie counts as the lower score
            ordered = np.sort(np.where(present, scores, np.inf), axis=1)
            pick = np.maximum(counts - 1, 0) // 2
            result = np.where(counts > 0, ordered[np.arange(len(scores)), pick], np.nan)
    return result.astype(np.float64)


def standard_split(scores: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Cases (rows) whose agencies' scores differ: one meets the standard and another does not
    (with Partly counted half, met, partly met and not met all differ)."""
    applies = ~np.isnan(scores)
    top = np.max(np.where(applies, scores, -np.inf), axis=1)
    bottom = np.min(np.where(applies, scores, np.inf), axis=1)
    split: NDArray[np.bool_] = applies.any(axis=1) & (top > bottom)
    return split


def spreads(codes: NDArray[np.intp]) -> NDArray[np.intp]:
    """Steps between each case's highest and lowest answer on the scale (0 below two)."""
    rated = codes >= 0
    high = np.max(np.where(rated, codes, -1), axis=1)
    low = np.min(np.where(rated, codes, np.iinfo(np.intp).max), axis=1)
    spread: NDArray[np.intp] = np.where(rated.any(axis=1), high - low, 0)
    return spread


def distinct_answers(codes: NDArray[np.intp]) -> NDArray[np.intp]:
    """How many different answers (N/A counted as one) each case has."""
    given = np.sort(np.where(codes == UNANSWERED, np.iinfo(np.intp).max, codes), axis=1)
    answered = given != np.iinfo(np.intp).max
    changes = (np.diff(given, axis=1) != 0) & answered[:, 1:]
    distinct: NDArray[np.intp] = answered[:, 0] + changes.sum(axis=1)
    return distinct


def answer_dicts(
    codes: NDArray[np.intp], labels: list[str], agencies: list[str]
) -> list[dict[str, str]]:
    """Each case's answers by agency (labels; "N/A" for not applicable; gaps left out)."""
    label_rows = np.array([*labels, "N/A"], dtype=object)[
        np.where(codes >= 0, codes, len(labels))
    ].tolist()
    # One C-level pass builds every complete row; only cases with gaps are built one by one.
    dicts = [*map(dict, map(zip, repeat(agencies), label_rows))]
    answered = codes != UNANSWERED
    for c in np.flatnonzero(~answered.all(axis=1)).tolist():
        given = zip(agencies, label_rows[c], answered[c].tolist(), strict=True)
        dicts[c] = {agency: label for agency, label, known in given if known}
    return dicts


def provisional_labels(case_scores: NDArray[np.float64]) -> list[str | None]:
    """Each case's provisional answer in words ("met", "partly met", "not met")."""
    words = np.full(len(case_scores), None, dtype=object)
    for value in np.unique(case_scores[~np.isnan(case_scores)]).tolist():
        words[case_scores == value] = SCORE_LABELS.get(value, f"{value:g}")
    labels: list[str | None] = words.tolist()
    return labels


def shared_findings(
    question: BaseQuestion,
    answers: SharedAnswers,
    scale: list[str],
    agencies: list[str],
    cases: list[str],
    case_at: dict[str, int],
    case_rank: NDArray[np.intp],
    moderated: dict[str, tuple[str, str | None]],
    found: QuestionFindings,
) -> Agenda:
    """Fill in agreement, case rows and case-level compliance; return the agenda items."""
    q, ordinal = len(scale), ordinal_agreement(question)
    found.agreement = agreement_figures(answers.ratings, q, ordinal=ordinal)
    rule = Rollup(question.rollup or Rollup.majority)
    case_scores = roll_up_scores(rule, answers.scores)
    spread = spreads(answers.codes) if ordinal else np.ones(len(cases), dtype=np.intp)
    split = standard_split(answers.scores)
    distinct = distinct_answers(answers.codes)
    if ordinal:
        disagree = (spread >= 2) | split
    else:  # unordered: any two different answers other than N/A
        disagree = (distinct - (answers.codes == NOT_APPLICABLE).any(axis=1) > 1) | split
    label = [question.label_of(typed(question, value)) for value in scale]
    rows = [
        *map(
            CaseAnswers,
            cases,
            answer_dicts(answers.codes, label, agencies),
            provisional_labels(case_scores),
        )
    ]
    agreed_scores = case_scores.copy()
    for case_ref, (value, resolution) in moderated.items():
        c = case_at.get(case_ref)
        if c is None:  # a case withdrawn from the round after its moderation
            continue
        agreed = typed(question, value)
        score = question.meets_standard(agreed)
        agreed_scores[c] = np.nan if score is None else score
        row = rows[c]
        rows[c] = CaseAnswers(
            row.case_ref, row.answers, row.provisional, question.label_of(agreed), resolution
        )
    found.cases = rows
    listed = np.flatnonzero(disagree)
    agenda = Agenda(
        question_id=question.id,
        keys=np.column_stack(
            [-spread[listed], ~split[listed], -distinct[listed], case_rank[listed]]
        ),
        items=[
            *map(
                Discrepancy,
                [cases[c] for c in listed.tolist()],
                repeat(question.id),
                [rows[c].answers for c in listed.tolist()],
                spread[listed].tolist(),
                split[listed].tolist(),
                [cases[c] in moderated for c in listed.tolist()],
            )
        ],
    )
    if question.standard is not None:
        applies = ~np.isnan(agreed_scores)
        found.case_level = Compliance(
            met=float(agreed_scores[applies].sum()), applicable=int(applies.sum())
        )
        found.case_level_provisional = not moderated
    return agenda
