"""Flow `launch-round`: the whole launch as one task, so the Prefect UI form is the model."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from flows.orchestration import RETRY_DELAYS, retry_if_transient
from flows.rounds.launch import launch_round
from flows.rounds.selection import seed_from_key
from models.db import session_scope
from models.round_parameters import LaunchParameters
from models.settings import get_settings
from models.types import utcnow


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def create_round(params: LaunchParameters, seed: int, idempotency_key: str) -> dict[str, object]:
    """Create the round in one transaction (or find the one this key already created)."""
    with session_scope() as session:
        result = launch_round(
            session=session,
            params=params,
            seed=seed,
            idempotency_key=idempotency_key,
            now=utcnow(),
            actor="prefect:launch-round",
            settings=get_settings(),
        )
    summary = asdict(result)
    del summary["case_refs"]  # Prefect keeps results outside our retention: counts only
    summary["cases"] = len(result.case_refs)
    return summary


@flow(name="launch-round")
async def launch_round_flow(params: LaunchParameters) -> dict[str, object]:
    """Launch a joint audit round: select the cases, assign every agency, invite the leads."""
    key = params.idempotency_key or f"flow-run:{flow_run.get_id()}"
    seed = params.seed if params.seed is not None else seed_from_key(key)
    summary = create_round(params, seed, key)
    get_run_logger().info(
        "Round %s %s: %s cases, seed %s, %s invitations queued",
        summary["round_id"],
        "launched" if summary["created"] else "already launched with this key",
        summary["cases"],
        seed,
        summary["invitations"],
    )
    return summary
