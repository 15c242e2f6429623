"""Pure reconciliation: compliance per agency and per case, agreement, discrepancies (numpy)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from flows.reconcile.findings import Compliance, Discrepancy, QuestionFindings
from flows.reconcile.shared import UNANSWERED, Agenda, SharedAnswers, shared_findings, typed
from models.bulk import collector_paused
from models.questionnaire import BaseQuestion, Tool

GRADED = ("ofsted_grade", "rag", "scale_0_10")
CATEGORICAL = ("yes_no_na", "yes_partly_no_na", "single_choice", *GRADED)


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


def _factorise(items: Sequence[object]) -> tuple[list[object], NDArray[np.intp]]:
    """The distinct items in order of first appearance, and each item's index among them."""
    distinct = list(dict.fromkeys(items))
    index = {item: i for i, item in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, items), dtype=np.intp, count=len(items))
    return distinct, codes


def question_findings(
    tool: Tool, data: RoundAnswers
) -> tuple[list[QuestionFindings], list[Discrepancy]]:
    """Findings for every measurable question of the tool, and the ranked discrepancies."""
    # A row per case and shared question: hundreds of thousands of small acyclic objects.
    with collector_paused():
        return _question_findings(tool, data)


def _question_findings(
    tool: Tool, data: RoundAnswers
) -> tuple[list[QuestionFindings], list[Discrepancy]]:
    # Number the questions and the answer values once, then group the rows by question with
    # one integer sort (not one scan of every answer per question, nor a sort of strings).
    question_ids, question_codes = _factorise(data.question_ids)
    vocabulary, value_codes = _factorise(data.values)
    order = np.argsort(question_codes, kind="stable")
    bounds = np.searchsorted(question_codes[order], np.arange(len(question_ids) + 1))
    rows_of = {str(qid): order[bounds[i] : bounds[i + 1]] for i, qid in enumerate(question_ids)}
    moderated: dict[str, dict[str, tuple[str, str | None]]] = {}
    for (case_ref, question_id), decision in data.moderated.items():
        moderated.setdefault(question_id, {})[case_ref] = decision
    no_rows = np.zeros(0, dtype=np.intp)
    results: list[QuestionFindings] = []
    agendas: list[Agenda] = []
    agencies, cases = list(data.agencies), list(data.cases)
    case_at = {case_ref: c for c, case_ref in enumerate(cases)}
    case_rank = np.argsort(np.argsort(np.asarray(cases, dtype=object), kind="stable"))
    n_agencies = len(agencies)
    for question in tool.questions():
        if question.type not in CATEGORICAL:
            continue
        rows = rows_of.get(question.id, no_rows)
        scale = _scale(question)
        code_of = {value: code for code, value in enumerate(scale)}
        # N/A, no answer and values outside the scale are code -1.
        lookup = np.array([code_of.get(str(v), -1) for v in vocabulary], dtype=np.intp)
        codes = lookup[value_codes[rows]]
        table = np.array(
            [
                np.nan if (s := question.meets_standard(typed(question, v))) is None else s
                for v in scale
            ]
            + [np.nan]
        )
        scores = table[codes]  # code -1 picks the trailing NaN
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
                for i, code in enumerate(agencies)
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
                for i, code in enumerate(agencies)
                if counts[i].any()
            }
        if question.shared:
            case = data.case_index[rows]
            code_matrix = np.full((len(cases), n_agencies), UNANSWERED, dtype=np.intp)
            code_matrix[case, agency] = codes
            score_matrix = np.full((len(cases), n_agencies), np.nan)
            score_matrix[case, agency] = scores
            agenda = shared_findings(
                question,
                SharedAnswers(code_matrix, score_matrix),
                scale,
                agencies,
                cases,
                case_at,
                case_rank,
                moderated.get(question.id, {}),
                found,
            )
            agendas.append(agenda)
        results.append(found)
    return results, _ranked(agendas)


def _ranked(agendas: list[Agenda]) -> list[Discrepancy]:
    """All questions' agenda items, widest spread first, then splits, most answers, case and
    question id."""
    if not agendas:
        return []
    items = [item for agenda in agendas for item in agenda.items]
    keys = np.vstack([agenda.keys.reshape(-1, 4) for agenda in agendas])
    rank = {qid: r for r, qid in enumerate(sorted({agenda.question_id for agenda in agendas}))}
    question_rank = np.repeat(
        [rank[agenda.question_id] for agenda in agendas], [len(a.items) for a in agendas]
    )
    order = np.lexsort((question_rank, keys[:, 3], keys[:, 2], keys[:, 1], keys[:, 0]))
    return [items[i] for i in order.tolist()]
