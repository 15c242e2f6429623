"""Flow `import-case-register`: import a register extract dropped by the council's systems."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from prefect import flow, get_run_logger, task

from flows.orchestration import RETRY_DELAYS, retry_if_transient
from flows.register.importer import import_case_file
from models.db import session_scope
from models.settings import get_settings
from models.types import utcnow


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def import_register_file(path: str) -> dict[str, int]:
    """Validate and import the file in one transaction; counts only, never case details."""
    with session_scope() as session:
        summary = import_case_file(
            session=session,
            path=Path(path),
            settings=get_settings(),
            actor="prefect:import-case-register",
            now=utcnow(),
        )
    return asdict(summary)


@flow(name="import-case-register")
async def import_case_register(path: str) -> dict[str, int]:
    """Import a full register extract (CSV or XLSX) into the case register."""
    summary = import_register_file(path)
    get_run_logger().info(
        "Register import batch %(batch_id)s: %(rows)s rows, %(created)s new, %(updated)s "
        "updated, %(deactivated)s marked inactive",
        summary,
    )
    return summary
