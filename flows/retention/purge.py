"""Closing rounds, and purging identities and answers of closed rounds past their retention."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from flows.rounds.views import get_round
from models.answers import Answer, AnswerOption, AnswerSet, Concern
from models.audit_log import record_event
from models.case import Case, CaseIdentity
from models.errors import ConflictError, InputError
from models.moderation import Reconciliation
from models.report_settings import FRONT_SHEET_FIELDS, ReportText
from models.round import Assignment, AuditRound, RoundCase, RoundStatus

PERIOD = re.compile(r"^(\d+)\s*([dwmy])$")
DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_period(text: str) -> timedelta:
    """`7y`, `18m`, `6w`, `90d` -> a duration (a month is 30 days, a year 365)."""
    match = PERIOD.match(text.strip().lower())
    if match is None:
        raise InputError(f"--older-than {text!r}: use a number and d, w, m or y, e.g. 7y")
    return timedelta(days=int(match.group(1)) * DAYS[match.group(2)])


def close_round(*, session: Session, round_id: int, now: datetime, actor: str) -> None:
    """Close a round once its plan is agreed; retention counts from here."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.status in (RoundStatus.closed, RoundStatus.cancelled, RoundStatus.collecting):
        raise ConflictError(f"round {round_id} is {round_.status}: it cannot be closed now")
    round_.status, round_.closed_at = RoundStatus.closed, now
    record_event(
        session=session,
        actor=actor,
        action="round.closed",
        entity_type="round",
        entity_id=round_id,
        now=now,
    )


@dataclass
class PurgeReport:
    """What a purge removed (or would remove, on a dry run)."""

    rounds: list[int] = field(default_factory=list)
    answer_sets: int = 0
    identities: int = 0


def _ended_at(round_: AuditRound) -> datetime:
    return round_.closed_at or round_.cancelled_at or round_.created_at


def _strip_case_detail(findings: dict[str, Any]) -> dict[str, Any]:
    """Keep the aggregates of stored findings; drop every per-case row."""
    kept = dict(findings)
    kept["questions"] = [{**q, "cases": []} for q in findings.get("questions", [])]
    kept["discrepancies"] = []
    return kept


def purge(
    *, session: Session, older_than: timedelta, now: datetime, actor: str, dry_run: bool
) -> PurgeReport:
    """Remove answers of rounds ended before `now - older_than`, and the identities of their
    cases that no live round or the active register still needs; aggregates stay."""
    report = PurgeReport()
    ended = [
        r
        for r in session.exec(
            select(AuditRound).where(
                col(AuditRound.status).in_([RoundStatus.closed, RoundStatus.cancelled]),
                col(AuditRound.purged_at).is_(None),
            )
        )
        if _ended_at(r) < now - older_than
    ]
    report.rounds = sorted(r.id for r in ended if r.id is not None)
    if not report.rounds:
        return report
    sets = (
        select(AnswerSet.id)
        .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
        .where(col(Assignment.round_id).in_(report.rounds))
    )
    report.answer_sets = int(session.exec(select(func.count()).select_from(sets.subquery())).one())
    kept_rounds = (
        select(RoundCase.case_id)
        .join(AuditRound, col(AuditRound.id) == col(RoundCase.round_id))
        .where(col(AuditRound.id).not_in(report.rounds), col(AuditRound.purged_at).is_(None))
    )
    doomed = (
        select(RoundCase.case_id)
        .join(Case, col(Case.id) == col(RoundCase.case_id))
        .where(
            col(RoundCase.round_id).in_(report.rounds),
            col(Case.active).is_(False),
            col(RoundCase.case_id).not_in(kept_rounds),
        )
    )
    identities = select(CaseIdentity.case_id).where(col(CaseIdentity.case_id).in_(doomed))
    report.identities = int(
        session.exec(select(func.count()).select_from(identities.subquery())).one()
    )
    if dry_run:
        return report
    answers = select(Answer.id).where(col(Answer.answer_set_id).in_(sets))
    session.execute(delete(AnswerOption).where(col(AnswerOption.answer_id).in_(answers)))
    session.execute(delete(Answer).where(col(Answer.answer_set_id).in_(sets)))
    session.execute(delete(AnswerSet).where(col(AnswerSet.id).in_(sets)))
    session.execute(delete(CaseIdentity).where(col(CaseIdentity.case_id).in_(doomed)))
    # Commentary is free text that may name a child; the front sheet is the board's record.
    session.execute(
        delete(ReportText).where(
            col(ReportText.round_id).in_(report.rounds),
            col(ReportText.field).not_in(FRONT_SHEET_FIELDS),
        )
    )
    session.execute(  # what auditors wrote about a child goes with the answers
        update(Concern)
        .where(col(Concern.round_id).in_(report.rounds))
        .values(key_id=None, ciphertext=None)
    )
    for reconciliation in session.exec(
        select(Reconciliation).where(col(Reconciliation.round_id).in_(report.rounds))
    ):
        reconciliation.findings = _strip_case_detail(reconciliation.findings)
    session.execute(
        update(AuditRound).where(col(AuditRound.id).in_(report.rounds)).values(purged_at=now)
    )
    record_event(
        session=session,
        actor=actor,
        action="retention.purged",
        entity_type="round",
        now=now,
        details={
            "rounds": report.rounds,
            "answer_sets": report.answer_sets,
            "identities": report.identities,
        },
    )
    return report
