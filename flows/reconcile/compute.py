"""Pure reconciliation: compliance per agency and per case, agreement, discrepancies (numpy)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from flows.agreement import (
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
from models.questionnaire import NA, BaseQuestion, Tool
from models.questionnaire.scales import SCALE_0_10, Rollup

GRADED = ("ofsted_grade", "rag", "scale_0_10")
CATEGORICAL = ("yes_no_na", "yes_partly_no_na", "single_choice", *GRADED)
SCORE_LABELS = {1.0: "met", 0.5: "partly met", 0.0: "not met"}


@dataclass(frozen=True)
class RoundAnswers:
    """The submitted answers of a round in long form (one entry per agency, case, question)."""

    agencies: Sequence[str]
    cases: Sequence[str]
    agency_index: NDArray[np.intp]
    case_index: NDArray[np.intp]
    question_ids: Sequence[str]
    values: Sequence[str | int | None]
    moderated: Mapping[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)


def _scale(question: BaseQuestion) -> list[str]:
    ordered = question.ordered_values
    if ordered is not None:
        return [str(v) for v in ordered]
    return [value for value, _label in question.choices()]


def _typed(question: BaseQuestion, value: str) -> str | int:
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


def _roll_up(rule: Rollup, scores: NDArray[np.float64]) -> NDArray[np.float64]:
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
    """Cases (rows) whose agencies' scores differ: one meets the standard and another does not."""
    applies = ~np.isnan(scores)
    top = np.max(np.where(applies, scores, -np.inf), axis=1)
    bottom = np.min(np.where(applies, scores, np.inf), axis=1)
    split: NDArray[np.bool_] = applies.any(axis=1) & (top > bottom)
    return split


def question_findings(
    tool: Tool, data: RoundAnswers
) -> tuple[list[QuestionFindings], list[Discrepancy]]:
    """Findings for every measurable question of the tool, and the ranked discrepancies."""
    values = np.asarray(data.values, dtype=object)
    # Group the long-form rows by question once (not one scan of every answer per question).
    question_ids, inverse = np.unique(
        np.asarray(data.question_ids, dtype=object), return_inverse=True
    )
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(question_ids) + 1))
    rows_of = {str(qid): order[bounds[i] : bounds[i + 1]] for i, qid in enumerate(question_ids)}
    no_rows = np.zeros(0, dtype=np.intp)
    results: list[QuestionFindings] = []
    discrepancies: list[Discrepancy] = []
    n_agencies = len(data.agencies)
    for question in tool.questions():
        if question.type not in CATEGORICAL:
            continue
        rows = rows_of.get(question.id, no_rows)
        scale = _scale(question)
        code_of = {value: code for code, value in enumerate(scale)}
        codes = np.fromiter(
            (code_of.get(str(v), -1) for v in values[rows]), dtype=np.intp, count=len(rows)
        )
        table = np.array(
            [
                np.nan if (s := question.meets_standard(_typed(question, v))) is None else s
                for v in scale
            ]
            + [np.nan]
        )
        scores = table[codes]  # code -1 (N/A, no answer) picks the trailing NaN
        agency = data.agency_index[rows]
        applies = ~np.isnan(scores)
        met = np.bincount(agency[applies], weights=scores[applies], minlength=n_agencies)
        applicable = np.bincount(agency[applies], minlength=n_agencies)
        found = QuestionFindings(
            id=question.id,
            text=question.text,
            finding=question.finding,
            type=question.type,
            shared=question.shared,
            by_agency={
                code: Compliance(met=float(met[i]), applicable=int(applicable[i]))
                for i, code in enumerate(data.agencies)
                if question.applies_to_agency(code)
            }
            if question.standard
            else {},
        )
        known = codes >= 0
        if question.type in GRADED:
            counts = np.bincount(
                agency[known] * len(scale) + codes[known], minlength=n_agencies * len(scale)
            ).reshape(n_agencies, -1)
            found.distribution = {
                code: {scale[k]: int(counts[i, k]) for k in range(len(scale)) if counts[i, k]}
                for i, code in enumerate(data.agencies)
                if counts[i].any()
            }
        if question.shared:
            _shared(question, data, rows, codes, scores, scale, found, discrepancies)
        results.append(found)
    discrepancies.sort(
        key=lambda d: (
            -d.spread,
            not d.standard_split,
            -len(set(d.answers.values())),
            d.case_ref,
            d.question_id,
        )
    )
    return results, discrepancies


def _shared(
    question: BaseQuestion,
    data: RoundAnswers,
    rows: NDArray[np.intp],
    codes: NDArray[np.intp],
    scores: NDArray[np.float64],
    scale: list[str],
    found: QuestionFindings,
    discrepancies: list[Discrepancy],
) -> None:
    n_agencies, n_cases = len(data.agencies), len(data.cases)
    case, agency = data.case_index[rows], data.agency_index[rows]
    ratings = np.full((n_cases, n_agencies), np.nan)
    ratings[case, agency] = np.where(codes >= 0, codes, np.nan)
    answered = np.zeros((n_cases, n_agencies), dtype=bool)
    answered[case, agency] = True
    score_matrix = np.full((n_cases, n_agencies), np.nan)
    score_matrix[case, agency] = scores
    q = len(scale)
    ordinal = ordinal_agreement(question)
    weights: Weights = "ordinal" if ordinal else "unweighted"
    level: Level = "ordinal" if ordinal else "nominal"
    found.agreement = {
        "percent_agreement": _figure(
            percent_agreement(ratings, q), "percent agreement", "unweighted"
        ),
        # The key predates AC2; `statistic` says which of Gwet's coefficients it holds.
        "gwet_ac1": _figure(
            gwet_ac1(ratings, q, weights), "Gwet's AC2" if ordinal else "Gwet's AC1", weights
        ),
        "krippendorff_alpha": _figure(
            krippendorff_alpha(ratings, q, level, replicates=500), "Krippendorff's alpha", level
        ),
    }
    rule = getattr(question, "rollup", None) or Rollup.majority
    case_scores = _roll_up(Rollup(rule), score_matrix)
    label = [question.label_of(_typed(question, value)) for value in scale]
    rated = ~np.isnan(ratings)
    high = np.max(np.where(rated, ratings, -1), axis=1)
    low = np.min(np.where(rated, ratings, q), axis=1)
    spread = np.where(rated.any(axis=1), high - low, 0)
    agreed_scores = case_scores.copy()
    # Labels for every (case, agency) at once; the loop below only assembles each case's row.
    labels = np.array([*label, "N/A"], dtype=object)[
        np.where(rated, np.nan_to_num(ratings, nan=0), q).astype(np.intp)
    ]
    names = np.array(data.agencies, dtype=object)
    provisional_labels = [
        None if np.isnan(v) else SCORE_LABELS.get(float(v), f"{v:g}") for v in case_scores
    ]
    split = standard_split(score_matrix)
    disagree = (spread >= 2 if ordinal else spread > 0) | split
    for c, case_ref in enumerate(data.cases):
        row = answered[c]
        answers = dict(zip(names[row].tolist(), labels[c, row].tolist(), strict=True))
        moderated = data.moderated.get((case_ref, question.id))
        if moderated is not None:
            score = question.meets_standard(_typed(question, moderated[0]))
            agreed_scores[c] = np.nan if score is None else score
        found.cases.append(
            CaseAnswers.model_construct(
                case_ref=case_ref,
                answers=answers,
                provisional=provisional_labels[c],
                moderated=question.label_of(_typed(question, moderated[0])) if moderated else None,
                resolution=moderated[1] if moderated else None,
            )
        )
        if disagree[c]:
            discrepancies.append(
                Discrepancy.model_construct(
                    case_ref=case_ref,
                    question_id=question.id,
                    answers=answers,
                    spread=int(spread[c]) if ordinal else 1,
                    standard_split=bool(split[c]),
                    resolved=moderated is not None,
                )
            )
    if question.standard is not None:
        applies = ~np.isnan(agreed_scores)
        found.case_level = Compliance(
            met=float(agreed_scores[applies].sum()), applicable=int(applies.sum())
        )
        found.case_level_provisional = not any(key[1] == question.id for key in data.moderated)
