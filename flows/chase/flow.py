"""Flow `chase-overdue`: one sweep of every collecting round (weekdays 09:00 Europe/London);
flow `chase-concerns`: unacknowledged immediate concerns (every 15 minutes in working hours)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows.chase.concerns import chase_concerns
from flows.chase.run import chase_everything
from flows.orchestration import RETRY_DELAYS, retry_if_transient
from models.db import session_scope
from models.settings import get_settings
from models.types import parse_now


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def sweep(now: str | None) -> dict[str, object]:
    """Queue the chase messages due at `now` (ISO; default the current time), in one transaction."""
    with session_scope() as session:
        run = chase_everything(session=session, now=parse_now(now), settings=get_settings())
    return run.as_dict()


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
        return chase_concerns(session=session, now=parse_now(now), settings=get_settings())


@flow(name="chase-concerns")
async def chase_unacknowledged_concerns(now: str | None = None) -> int:
    """Remind the escalation contact, then the coordinators, of concerns nobody acknowledged."""
    queued = concern_sweep(now)
    get_run_logger().info("Concerns: %s chasers queued", queued)
    return queued
