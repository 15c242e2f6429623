"""Drafting candidate actions from a round's findings (idempotent: one per source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from flows.reconcile.findings import Compliance, Findings, QuestionFindings
from flows.reconcile.load import round_tool
from flows.reconcile.run import latest_findings
from models.action import Action, ActionSource
from models.agency import Agency
from models.answers import Answer, AnswerSet, AnswerSetStatus
from models.audit_log import record_event
from models.questionnaire import Tool
from models.round import Assignment, AssignmentStatus

TEXT_SOURCES = ("areas_for_development", "recommendations")
TEXT_LABELS = {
    "areas_for_development": "areas for development",
    "recommendations": "recommendations",
}
MIN_UNRESOLVED = 2  # one disagreement is a case for the meeting, two or more a pattern


@dataclass(frozen=True)
class Candidate:
    """A proposed action and where it came from."""

    source: ActionSource
    source_key: str
    what: str
    success_measure: str = ""
    owner_code: str | None = None
    quote: str | None = None


def overall(question: QuestionFindings) -> Compliance | None:
    """The case-level figure of a shared question, or all agencies' answers pooled."""
    if question.case_level is not None:
        return question.case_level
    if not question.by_agency:
        return None
    return Compliance(
        met=sum(c.met for c in question.by_agency.values()),
        applicable=sum(c.applicable for c in question.by_agency.values()),
    )


def rule_candidates(tool: Tool, findings: Findings) -> list[Candidate]:
    """Actions the tool's rules ask for where compliance is under their threshold."""
    found = []
    for question in findings.questions:
        rule = getattr(tool.question(question.id), "action_rule", None)
        figure = overall(question)
        if rule is None or figure is None or figure.percent is None:
            continue
        if figure.percent < rule.threshold_percent:
            found.append(
                Candidate(
                    ActionSource.rule,
                    f"rule:{question.id}",
                    rule.action,
                    rule.success_measure,
                    rule.owner_hint,
                    f"{question.text}: {figure.label} (threshold {rule.threshold_percent}%)",
                )
            )
    return found


def discrepancy_candidates(tool: Tool, findings: Findings) -> list[Candidate]:
    """One action per shared question the meeting left two or more cases unresolved on."""
    open_by_question: dict[str, int] = {}
    for item in findings.discrepancies:
        if not item.resolved:
            open_by_question[item.question_id] = open_by_question.get(item.question_id, 0) + 1
    return [
        Candidate(
            ActionSource.discrepancy,
            f"discrepancy:{qid}",
            f"Agree between agencies how to judge: {tool.question(qid).text}",
            "Agencies agree on this question in the re-audit",
            quote=f"{count} cases unresolved at moderation",
        )
        for qid, count in sorted(open_by_question.items())
    ]


def text_candidates(*, session: Session, round_id: int) -> list[Candidate]:
    """Each agency's "areas for development" and "recommendations", quoted as candidates."""
    rows = session.exec(
        select(  # type: ignore[call-overload]
            col(Answer.id),
            col(Answer.question_id),
            col(Answer.text),
            col(Agency.code),
            col(Agency.name),
        )
        .join(AnswerSet, col(AnswerSet.id) == col(Answer.answer_set_id))
        .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(
            col(Assignment.round_id) == round_id,
            col(Assignment.status) == AssignmentStatus.submitted,
            col(AnswerSet.status) == AnswerSetStatus.submitted,
            col(Answer.question_id).in_(TEXT_SOURCES),
            col(Answer.text).is_not(None),
        )
        .order_by(col(Answer.id))
    ).all()
    return [
        Candidate(
            ActionSource.agency_text,
            f"text:{answer_id}",
            f"Consider the {TEXT_LABELS[question]} from {name}",
            owner_code=code,
            quote=text,
        )
        for answer_id, question, text, code, name in rows
        if text and text.strip()
    ]


def draft_action_plan(*, session: Session, round_id: int, now: datetime, actor: str) -> int:
    """Add every candidate not drafted before; returns how many were added."""
    findings = latest_findings(session=session, round_id=round_id)
    tool = round_tool(session=session, round_id=round_id)
    candidates = [
        *rule_candidates(tool, findings),
        *discrepancy_candidates(tool, findings),
        *text_candidates(session=session, round_id=round_id),
    ]
    agencies = {a.code: a.id for a in session.exec(select(Agency))}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    added = 0
    for candidate in candidates:
        statement = (
            dialect.insert(Action)
            .values(
                round_id=round_id,
                source=candidate.source.value,
                source_key=candidate.source_key,
                source_quote=candidate.quote,
                what=candidate.what,
                how="",
                owner_agency_id=agencies.get(candidate.owner_code or ""),
                success_measure=candidate.success_measure,
                status="draft",
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["round_id", "source_key"])
        )
        inserted = session.execute(statement.returning(col(Action.id))).scalar_one_or_none()
        added += inserted is not None
    record_event(
        session=session,
        actor=actor,
        action="action_plan.drafted",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"added": added},
    )
    return added
