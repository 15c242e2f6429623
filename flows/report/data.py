"""Building a round's typed board report from its findings, its round and its baseline."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from flows.reconcile.findings import Compliance, Findings, QuestionFindings
from flows.reconcile.load import round_tool
from flows.reconcile.run import latest_findings
from flows.report.charts import report_charts
from flows.report.comparison import compare, figure
from flows.report.highlights import choose, highlights, largest_changes
from flows.report.impact import impact
from flows.report.load import agency_responses, comments, load_actions
from flows.report.model import (
    ActionItem,
    BoardReport,
    Comparison,
    Method,
    QuestionRow,
)
from flows.report.moderated import agreement_rows, discrepancy_rows
from flows.report.register import register_context
from flows.report.settings import commentary, front_sheet
from flows.report.words import and_list, discrepancy_summary, method_sentences
from flows.rounds.views import get_round
from models.agency import Agency
from models.calendar import long_day
from models.errors import NotFoundError
from models.moderation import ModerationMeeting
from models.partnership import Partnership
from models.questionnaire import Tool
from models.report_settings import HIGHLIGHT_PREFIX
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
        named_cases=params.named_cases,
        sample_size=params.sample_size,
        cases=max(len(cases), max((r.assignments for r in responses), default=0)),
        strata=[(str(s.get("stratum", "")), int(s.get("picked", 0))) for s in strata],
        agencies=sorted(findings.responses) or sorted(params.agencies),
        due_date=round_.due_date,
        responses=responses,
        moderation_held_on=meeting.held_on if meeting else None,
    )


def question_row(
    question: QuestionFindings, group: str = "", threshold: int | None = None
) -> QuestionRow:
    """One question's figures, with all agencies' answers pooled as `overall`."""
    pooled = Compliance(
        met=sum(c.met for c in question.by_agency.values()),
        applicable=sum(c.applicable for c in question.by_agency.values()),
    )
    return QuestionRow(
        id=question.id,
        text=question.text,
        finding=question.finding,
        group=group,
        threshold=threshold,
        shared=question.shared,
        case_level=figure(question.case_level) if question.case_level else None,
        provisional=question.case_level_provisional,
        by_agency={a: figure(c) for a, c in sorted(question.by_agency.items())},
        overall=figure(pooled),
    )


def _has_figures(row: QuestionRow) -> bool:
    return bool(row.overall.applicable or (row.case_level and row.case_level.applicable))


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


def _summary(findings: Findings, m: Method, names: dict[str, str]) -> list[str]:
    state = (
        "Figures are provisional until the moderation meeting is recorded."
        if findings.provisional
        else f"Figures are moderated (meeting held {long_day(m.moderation_held_on)})."
        if m.moderation_held_on
        else "Figures are moderated."
    )
    return [
        f"{m.cases} cases were audited by {len(m.agencies)} agencies "
        f"({and_list([names.get(a, a) for a in m.agencies])}) with the {m.tool} tool.",
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
    tool = round_tool(session=session, round_id=round_id)
    names = {a.code: a.name for a in session.exec(select(Agency))}
    m = method(session=session, round_=round_, findings=findings)
    m.tool_title = tool.title
    groups = {q.id: s.title for s in tool.sections for q in s.questions}
    questions = [
        row
        for row in (
            question_row(q, groups.get(q.id, ""), _threshold(tool, q.id))
            for q in findings.questions
        )
        if _has_figures(row)
    ]
    compared = comparison(session=session, round_=round_, findings=findings)
    if actions is None and load_plan:
        actions = load_actions(session=session, round_id=round_id)
    notes = commentary(session=session, round_id=round_id)
    agreement = agreement_rows(findings)
    up, down = largest_changes(compared.rows if compared else [])
    strengths, weaknesses, rest = choose(
        questions,
        {a.id: (a.compared - a.same_answer, a.compared) for a in agreement},
        {k.removeprefix(HIGHLIGHT_PREFIX): v for k, v in notes.items()},
        exclude={c.id for c in up + down},
    )
    report = BoardReport(
        round_id=round_id,
        title=round_.title,
        status=str(round_.status),
        generated_on=today,
        provisional=findings.provisional,
        summary=_summary(findings, m, names),
        method=m,
        highlights=highlights(questions, compared.rows if compared else [], findings.concerns),
        questions=questions,
        agreement=agreement,
        discrepancies=discrepancy_rows(findings, names),
        concerns=findings.concerns,
        not_known=findings.not_known,
        comparison=compared,
        actions=actions,
        comments=comments(session=session, round_id=round_id, tool=tool) if free_text else [],
        partnership=_partnership(session),
        agency_names=names,
        front_sheet=front_sheet(session=session, round_id=round_id, round_title=round_.title),
        commentary=notes,
        method_text=method_sentences(
            m,
            round_.selection if isinstance(round_.selection, dict) else {},
            [names.get(a, a) for a in m.agencies],
            LaunchParameters.model_validate(round_.parameters).same_cases_as_round,
        ),
        strengths=strengths,
        weaknesses=weaknesses,
        other_findings=rest,
        improvements=up,
        deteriorations=down,
        discrepancy_summary=discrepancy_summary(
            findings, {q.id: q.finding or q.text for q in findings.questions}
        ),
        half_points=any(_half(tool, q.id) for q in questions),
    )
    if compared is not None and not compared.note:
        report.impact = impact(
            session=session,
            baseline_round_id=compared.baseline_round_id,
            baseline_title=compared.baseline_title,
            questions=questions,
            deteriorations=down,
            names=names,
            agreement={a.id: (a.same_answer, a.compared) for a in agreement},
        )
    report.register_context = register_context(session=session, round_=round_)
    if charts:
        report.charts = report_charts(report)
    return report


def _threshold(tool: Tool, question_id: str) -> int | None:
    rule = getattr(tool.question(question_id), "action_rule", None)
    return rule.threshold_percent if rule is not None else None


def _half(tool: Tool, question_id: str) -> bool:
    standard = getattr(tool.question(question_id), "standard", None)
    return str(getattr(standard, "partly_counts_as", "")) == "half"


def _partnership(session: Session) -> str:
    found = session.exec(select(Partnership)).first()
    return found.name if found else ""
