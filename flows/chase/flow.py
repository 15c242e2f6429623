"""Flow `chase-overdue`: one sweep of every collecting round (weekdays 09:00 Europe/London);
flow `chase-concerns`: unacknowledged immediate concerns (every 15 minutes in working hours)."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from flows.action_plan.chase import chase_actions
from flows.chase.concerns import chase_concerns
from flows.chase.sweep import chase_sweep
from flows.orchestration import RETRY_DELAYS, retry_if_transient
from models.db import session_scope
from models.settings import get_settings
from models.types import utcnow


def _moment(now: str | None) -> datetime:
    moment = datetime.fromisoformat(now) if now else utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def sweep(now: str | None) -> dict[str, object]:
    """Queue the chase messages due at `now` (ISO; default the current time), in one transaction."""
    moment = _moment(now)
    with session_scope() as session:
        summary = chase_sweep(session=session, now=moment, settings=get_settings())
        actions = chase_actions(session=session, now=moment, settings=get_settings())
    return {
        "rounds": summary.rounds,
        "queued": summary.queued,
        "by_kind": summary.by_kind,
        "action_messages": actions,
    }


@flow(name="chase-overdue")
async def chase_overdue(now: str | None = None) -> dict[str, object]:
    """Remind, chase and escalate unanswered assignments; each message is queued once."""
    result = sweep(now)
    get_run_logger().info(
        "Chase: %s rounds, %s messages queued %s",
        result["rounds"],
        result["queued"],
        result["by_kind"],
    )
    return result


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def concern_sweep(now: str | None) -> int:
    """Queue the chasers of unacknowledged concerns due at `now`, in one transaction."""
    with session_scope() as session:
        return chase_concerns(session=session, now=_moment(now), settings=get_settings())


@flow(name="chase-concerns")
async def chase_unacknowledged_concerns(now: str | None = None) -> int:
    """Remind the escalation contact, then the coordinators, of concerns nobody acknowledged."""
    queued = concern_sweep(now)
    get_run_logger().info("Concerns: %s chasers queued", queued)
    return queued
