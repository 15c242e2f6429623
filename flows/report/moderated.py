"""The moderation's figures as the report prints them: agreement on each shared question
(with the cases where agencies gave the same answer) and every discrepancy (pure)."""

from __future__ import annotations

from flows.reconcile.agreement.reading import band, coefficient_text, short_label
from flows.reconcile.findings import AgreementFigure, Findings, QuestionFindings
from flows.report.model import AgreementRow, DiscrepancyRow
from flows.report.words import and_list


def _stat(figure_: AgreementFigure | None) -> str:
    if figure_ is None:
        return "-"
    if figure_.value is None:
        return f"not computable ({figure_.reason})" if figure_.reason else "not computable"
    text = f"{figure_.value:.2f}"
    if figure_.ci_low is not None and figure_.ci_high is not None:
        text += f" (95% CI {figure_.ci_low:.2f} to {figure_.ci_high:.2f})"
    return text


def _beyond_chance(figure_: AgreementFigure | None) -> str | None:
    """Landis and Koch's word for the Gwet coefficient, with the figure it reads."""
    if figure_ is None or figure_.value is None:
        return None
    label = short_label(figure_.statistic or "Gwet's AC1")
    return f"agreement beyond chance was {band(figure_.value)} ({coefficient_text(figure_, label)})"


def same_answers(question: QuestionFindings) -> tuple[int, int]:
    """Cases two or more agencies answered, and on how many they all gave the same answer."""
    same = compared = 0
    for case in question.cases:
        given = [v for v in case.answers.values() if v != "N/A"]
        if len(given) >= 2:
            compared += 1
            same += len(set(given)) == 1
    return same, compared


def agreement_rows(findings: Findings) -> list[AgreementRow]:
    """Agreement on shared questions, each statistic with its interval and n."""
    rows = []
    for q in findings.questions:
        if not q.agreement or not max(f.n_units for f in q.agreement.values()):
            continue
        alpha = next((f for name, f in q.agreement.items() if "alpha" in name), None)
        gwet = q.agreement.get("gwet_ac1")  # holds AC2 on ordered scales: see its statistic
        same, compared = same_answers(q)
        rows.append(
            AgreementRow(
                id=q.id,
                question=q.finding or q.text,
                same_answer=same,
                compared=compared,
                n_units=max(f.n_units for f in q.agreement.values()),
                percent_agreement=_stat(q.agreement.get("percent_agreement")),
                gwet_ac1=_stat(gwet),
                alpha=_stat(alpha),
                coefficient=(gwet.statistic if gwet and gwet.statistic else "Gwet's AC1"),
                beyond_chance=_beyond_chance(gwet),
            )
        )
    return rows


def discrepancy_rows(
    findings: Findings, names: dict[str, str] | None = None
) -> list[DiscrepancyRow]:
    """Discrepancies with the agreed answer and resolution where the meeting recorded one."""
    names = names or {}
    cases = {(c.case_ref, q.id): c for q in findings.questions for c in q.cases}
    rows = []
    for d in findings.discrepancies:
        case = cases.get((d.case_ref, d.question_id))
        rows.append(
            DiscrepancyRow(
                case_ref=d.case_ref,
                question_id=d.question_id,
                answers=grouped_answers(d.answers, names),
                resolved=d.resolved,
                agreed=case.moderated if case else None,
                resolution=case.resolution if case else None,
            )
        )
    return rows


def grouped_answers(answers: dict[str, str], names: dict[str, str]) -> str:
    """Yes: Police, Health; No: Education (each answer once, with the agencies that gave it).
    When an agency's name has a comma of its own, names are joined as a list with semicolons
    and the answers end in full stops, so that each name still reads as one."""
    by_value: dict[str, list[str]] = {}
    for agency, value in answers.items():
        by_value.setdefault(value, []).append(names.get(agency, agency))
    if any("," in name for who in by_value.values() for name in who):
        return ". ".join(f"{value}: {and_list(who)}" for value, who in by_value.items())
    return "; ".join(f"{value}: {', '.join(who)}" for value, who in by_value.items())
