"""Building a round's typed board report from its findings, its round and its baseline."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from flows.reconcile.findings import AgreementFigure, Compliance, Findings, QuestionFindings
from flows.reconcile.load import round_tool
from flows.reconcile.run import latest_findings
from flows.report.charts import report_charts
from flows.report.comparison import compare, figure
from flows.report.highlights import highlights
from flows.report.load import agency_responses, comments, load_actions
from flows.report.model import (
    ActionItem,
    AgreementRow,
    BoardReport,
    Comparison,
    DiscrepancyRow,
    Method,
    QuestionRow,
)
from flows.report.register import register_context
from flows.rounds.views import get_round
from models.calendar import long_day
from models.errors import NotFoundError
from models.moderation import ModerationMeeting
from models.round import AuditRound
from models.round_parameters import LaunchParameters
from models.tool_version import ToolVersion


def _criteria(params: LaunchParameters) -> dict[str, str]:
    found = params.criteria.model_dump(mode="json", exclude_defaults=True)
    return {
        name.replace("_", " "): ", ".join(map(str, v)) if isinstance(v, list) else str(v)
        for name, v in found.items()
    }


def method(*, session: Session, round_: AuditRound, findings: Findings) -> Method:
    """Tool version, criteria, seed, sample, agencies, response rates and timeliness."""
    params = LaunchParameters.model_validate(round_.parameters)
    version = session.get(ToolVersion, round_.tool_version_id)
    meeting = session.get(ModerationMeeting, round_.id)
    strata = round_.selection.get("strata", []) if isinstance(round_.selection, dict) else []
    cases = {c.case_ref for q in findings.questions for c in q.cases}
    responses = agency_responses(session=session, round_=round_)
    return Method(
        tool=version.name if version else params.tool,
        tool_version=version.version if version else "",
        criteria=_criteria(params),
        seed=round_.seed,
        sample_size=params.sample_size,
        cases=max(len(cases), max((r.assignments for r in responses), default=0)),
        strata=[(str(s.get("stratum", "")), int(s.get("picked", 0))) for s in strata],
        agencies=sorted(findings.responses) or sorted(params.agencies),
        due_date=round_.due_date,
        responses=responses,
        moderation_held_on=meeting.held_on if meeting else None,
    )


def question_row(question: QuestionFindings) -> QuestionRow:
    """One question's figures, with all agencies' answers pooled as `overall`."""
    pooled = Compliance(
        met=sum(c.met for c in question.by_agency.values()),
        applicable=sum(c.applicable for c in question.by_agency.values()),
    )
    return QuestionRow(
        id=question.id,
        text=question.text,
        finding=question.finding,
        shared=question.shared,
        case_level=figure(question.case_level) if question.case_level else None,
        provisional=question.case_level_provisional,
        by_agency={a: figure(c) for a, c in sorted(question.by_agency.items())},
        overall=figure(pooled),
    )


def _has_figures(row: QuestionRow) -> bool:
    return bool(row.overall.applicable or (row.case_level and row.case_level.applicable))


def _stat(figure_: AgreementFigure | None) -> str:
    if figure_ is None:
        return "-"
    if figure_.value is None:
        return f"not computable ({figure_.reason})" if figure_.reason else "not computable"
    text = f"{figure_.value:.2f}"
    if figure_.ci_low is not None and figure_.ci_high is not None:
        text += f" (95% CI {figure_.ci_low:.2f} to {figure_.ci_high:.2f})"
    return text


def agreement_rows(findings: Findings) -> list[AgreementRow]:
    """Agreement on shared questions, each statistic with its interval and n."""
    rows = []
    for q in findings.questions:
        if not q.agreement or not max(f.n_units for f in q.agreement.values()):
            continue
        alpha = next((f for name, f in q.agreement.items() if "alpha" in name), None)
        rows.append(
            AgreementRow(
                id=q.id,
                n_units=max(f.n_units for f in q.agreement.values()),
                percent_agreement=_stat(q.agreement.get("percent_agreement")),
                gwet_ac1=_stat(q.agreement.get("gwet_ac1")),
                alpha=_stat(alpha),
            )
        )
    return rows


def discrepancy_rows(findings: Findings) -> list[DiscrepancyRow]:
    """Discrepancies with the agreed answer and resolution where the meeting recorded one."""
    cases = {(c.case_ref, q.id): c for q in findings.questions for c in q.cases}
    rows = []
    for d in findings.discrepancies:
        case = cases.get((d.case_ref, d.question_id))
        rows.append(
            DiscrepancyRow(
                case_ref=d.case_ref,
                question_id=d.question_id,
                answers="; ".join(f"{a}: {v}" for a, v in d.answers.items()),
                resolved=d.resolved,
                agreed=case.moderated if case else None,
                resolution=case.resolution if case else None,
            )
        )
    return rows


def comparison(*, session: Session, round_: AuditRound, findings: Findings) -> Comparison | None:
    """The re-audit comparison, or None for a round without a baseline."""
    if round_.baseline_round_id is None:
        return None
    baseline = get_round(session=session, round_id=round_.baseline_round_id)
    result = Comparison(baseline_round_id=baseline.id or 0, baseline_title=baseline.title, rows=[])
    try:
        before = latest_findings(session=session, round_id=result.baseline_round_id)
    except NotFoundError:
        result.note = f"the baseline round {result.baseline_round_id} was never reconciled"
        return result
    result.rows = compare(findings, before)
    return result


def _summary(round_: AuditRound, findings: Findings, m: Method) -> list[str]:
    state = (
        "Figures are provisional until the moderation meeting is recorded."
        if findings.provisional
        else f"Figures are moderated (meeting held {long_day(m.moderation_held_on)})."
        if m.moderation_held_on
        else "Figures are moderated."
    )
    return [
        f"{m.cases} cases were audited by {len(m.agencies)} agencies "
        f"({', '.join(m.agencies)}) with the {m.tool} tool, version {m.tool_version}.",
        f"{len(findings.discrepancies)} discrepancies between agencies were listed for "
        f"moderation; {sum(d.resolved for d in findings.discrepancies)} were resolved.",
        state,
    ]


def build_report(
    *,
    session: Session,
    round_id: int,
    today: date,
    actions: list[ActionItem] | None = None,
    load_plan: bool = True,
    charts: bool = True,
    free_text: bool = True,
) -> BoardReport:
    """The round's board report from its latest findings (NotFoundError if never reconciled)."""
    round_ = get_round(session=session, round_id=round_id)
    findings = latest_findings(session=session, round_id=round_id)
    m = method(session=session, round_=round_, findings=findings)
    questions = [row for row in map(question_row, findings.questions) if _has_figures(row)]
    compared = comparison(session=session, round_=round_, findings=findings)
    if actions is None and load_plan:
        actions = load_actions(session=session, round_id=round_id)
    report = BoardReport(
        round_id=round_id,
        title=round_.title,
        status=str(round_.status),
        generated_on=today,
        provisional=findings.provisional,
        summary=_summary(round_, findings, m),
        method=m,
        highlights=highlights(questions, compared.rows if compared else [], findings.concerns),
        questions=questions,
        agreement=agreement_rows(findings),
        discrepancies=discrepancy_rows(findings),
        concerns=findings.concerns,
        not_known=findings.not_known,
        comparison=compared,
        actions=actions,
        comments=comments(
            session=session, round_id=round_id, tool=round_tool(session=session, round_id=round_id)
        )
        if free_text
        else [],
    )
    report.register_context = register_context(session=session, round_=round_)
    if charts:
        report.charts = report_charts(report)
    return report
