"""Flow `chase-overdue`: one sweep of every collecting round (weekdays 09:00 Europe/London)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows.action_plan.chase import chase_actions
from flows.chase.sweep import chase_sweep
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
    moment = parse_now(now)
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
