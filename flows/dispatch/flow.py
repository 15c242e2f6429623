"""Flow `dispatch-notifications`: send due outbox messages, then read delivery statuses back.

Scheduled every two minutes by prefect.yaml. Two tasks, never one per message: the outbox
rows are the state, and Prefect sees counts only (no recipients, no content).
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows.orchestration import RETRY_DELAYS, retry_if_transient
from models.types import parse_now
from notifications.delivery import poll_delivery_statuses
from notifications.dispatcher import dispatch_due


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def send_due_messages(batch_size: int | None = None, now: str | None = None) -> dict[str, int]:
    """Claim, render, send and record every due message; returns counts."""
    moment = parse_now(now) if now else None
    return dispatch_due(batch_size=batch_size, now=moment).as_dict()


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def read_delivery_statuses() -> int:
    """Ask GOV.UK Notify how recent messages fared; returns how many statuses changed."""
    return poll_delivery_statuses()


@flow(name="dispatch-notifications")
async def dispatch_notifications(
    batch_size: int | None = None, now: str | None = None
) -> dict[str, int]:
    """Send every due message of the outbox and update delivery statuses (`now`: ISO time
    travel, as for chasing)."""
    counts = send_due_messages(batch_size, now)
    counts["delivery_updates"] = read_delivery_statuses()
    get_run_logger().info(
        "Outbox: %(claimed)s claimed, %(sent)s sent, %(found_sent)s found already sent, "
        "%(retrying)s to retry, %(failed)s failed, %(rate_limited)s held by the rate limit; "
        "%(delivery_updates)s delivery statuses updated",
        counts,
    )
    return counts
