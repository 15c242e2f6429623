"""Flows `reconcile-round` (one round) and `reconcile-due-rounds` (the daily sweep)."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task
from sqlmodel import Session, col, select

from flows.chase.policy import round_chase_rules
from flows.orchestration import RETRY_DELAYS, retry_if_transient
from flows.reconcile.run import reconcile_round
from flows.rounds.views import agency_due_dates
from models.calendar import WorkingDayCalendar, end_of_day
from models.db import session_scope
from models.round import ANSWERED, Assignment, AssignmentStatus, AuditRound, RoundStatus
from models.settings import Settings, get_settings
from models.types import parse_now


def rounds_due_for_reconciliation(
    *, session: Session, now: datetime, settings: Settings
) -> list[int]:
    """Collecting rounds whose every assignment is answered, or whose last due date plus the
    grace (working days) has passed."""
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    due: list[int] = []
    for round_ in session.exec(
        select(AuditRound).where(col(AuditRound.status) == RoundStatus.collecting)
    ):
        assert round_.id is not None
        open_ = session.exec(
            select(Assignment.id).where(
                col(Assignment.round_id) == round_.id,
                col(Assignment.status).not_in([*ANSWERED, AssignmentStatus.withdrawn]),
            )
        ).first()
        last_due = max(
            agency_due_dates(session=session, round_=round_).values(), default=round_.due_date
        )
        deadline = calendar.add_working_days(
            last_due, round_chase_rules(round_, settings).reconcile_grace_days
        )
        if open_ is None or now > end_of_day(deadline):
            due.append(round_.id)
    return due


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def reconcile_one(round_id: int, now_iso: str | None = None) -> dict[str, int]:
    """Reconcile one round; counts only."""
    now = parse_now(now_iso)
    with session_scope() as session:
        findings = reconcile_round(
            session=session, round_id=round_id, now=now, actor="prefect:reconcile"
        )
    return {
        "round_id": round_id,
        "questions": len(findings.questions),
        "discrepancies": len(findings.discrepancies),
    }


@flow(name="reconcile-round")
async def reconcile_round_flow(round_id: int) -> dict[str, int]:
    """Compute and store a round's findings."""
    summary = reconcile_one(round_id)
    get_run_logger().info("Round %(round_id)s reconciled: %(discrepancies)s discrepancies", summary)
    return summary


@flow(name="reconcile-due-rounds")
async def reconcile_due_rounds(now: str | None = None) -> list[int]:
    """Reconcile every round that is fully answered or past its due date plus grace."""
    moment = parse_now(now)
    with session_scope() as session:
        due = rounds_due_for_reconciliation(session=session, now=moment, settings=get_settings())
    for round_id in due:
        reconcile_one(round_id, moment.isoformat())
    get_run_logger().info("%s rounds reconciled", len(due))
    return due
