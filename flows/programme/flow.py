"""Flow `launch-due-rounds`: on working days at 08:00, launch the programme's due rounds."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows.orchestration import RETRY_DELAYS, retry_if_transient
from flows.programme.store import launch_due_rounds
from models.db import session_scope
from models.settings import get_settings
from models.types import parse_now, utcnow


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def launch_planned(now_iso: str | None = None) -> list[int]:
    """Launch every due planned round in one transaction each run; returns the round ids."""
    now = parse_now(now_iso)
    with session_scope() as session:
        launched = launch_due_rounds(
            session=session, now=now, settings=get_settings(), actor="prefect:launch-due-rounds"
        )
    return [round_id for _key, round_id in launched]


@flow(name="launch-due-rounds")
async def launch_due_rounds_flow(now: str | None = None) -> list[int]:
    """Launch the rounds the audit programme plans for today (and any missed ones)."""
    launched = launch_planned(now)
    get_run_logger().info("%s planned rounds launched: %s", len(launched), launched)
    return launched


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def write_quarterly_review(quarter: str | None = None) -> list[str]:
    """Build and write the review of a quarter (the last one by default) under the data dir."""
    from flows.programme.review import previous_quarter, quarterly_review
    from flows.programme.review_files import FORMATS, write_review

    settings = get_settings()
    with session_scope() as session:
        review = quarterly_review(
            session=session, quarter=quarter or previous_quarter(utcnow().date())
        )
    return [str(p) for p in write_review(review, settings.data_dir / "reviews", FORMATS)]


@flow(name="quarterly-review")
async def quarterly_review_flow(quarter: str | None = None) -> list[str]:
    """The quality-assurance subgroup's quarterly review of the programme."""
    files = write_quarterly_review(quarter)
    get_run_logger().info("Quarterly review written: %s files", len(files))
    return files
