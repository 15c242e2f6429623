"""Flow `import-case-register`: import a register extract dropped by the council's systems.

What reaches Prefect (states, logs, the result) is counts and locations: never a cell's value,
and never the text of an unexpected error, which may quote the file.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.orchestration import RETRY_DELAYS, retry_if_transient
from flows.register.importer import import_case_file
from flows.register.stored import (
    fail_stored_import,
    finished_outcome,
    import_stored_file,
    refused_problems,
    start_stored_import,
)
from models.db import session_scope
from models.errors import (
    ImportFileError,
    JointauditError,
    NotFoundError,
    TransientError,
    is_retryable,
)
from models.register_import import FINISHED
from models.settings import get_settings
from models.types import utcnow

LOGGED_PROBLEMS = 20


def refusal(error: ImportFileError) -> dict[str, Any]:
    """A refused file in counts and locations (the problems' rules are logged, not returned)."""
    return {
        "imported": False,
        "problems": len(error.problems) + error.omitted,
        "locations": [problem.where for problem in error.problems],
    }


def withheld(error: Exception) -> JointauditError:
    """An unexpected error without its message (a driver's may quote a row); retryable when
    the error was."""
    message = (
        f"register import failed with {type(error).__name__}; its message is withheld "
        "(it may quote the file)"
    )
    return TransientError(message) if is_retryable(error) else JointauditError(message)


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def import_register_file(path: str) -> dict[str, Any]:
    """Validate and import the file in one transaction; counts and locations only."""
    try:
        with session_scope() as session:
            summary = import_case_file(
                session=session,
                path=Path(path),
                settings=get_settings(),
                actor="prefect:import-case-register",
                now=utcnow(),
            )
    except ImportFileError as error:
        get_run_logger().error(
            "Register refused, nothing imported:\n%s",
            "\n".join(str(p) for p in error.problems[:LOGGED_PROBLEMS]),
        )
        return refusal(error)
    except JointauditError:
        raise  # our own messages hold no cell values
    except Exception as error:
        raise withheld(error) from None
    return {"imported": True, **asdict(summary)}


UNEXPECTED = (
    "",
    "file",
    "The import stopped unexpectedly: nothing was imported. Upload the file again, or ask "
    "your administrator to look at the import-case-register run in Prefect",
)


@task(
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
)
def import_stored_register(import_id: int) -> dict[str, Any]:
    """Import an upload stored by the portal or the API; its outcome is written beside it."""
    try:
        with session_scope() as session:
            upload = start_stored_import(session=session, import_id=import_id)
            if upload.status in FINISHED:  # a rerun: the outcome is already written
                return finished_outcome(upload)
        with session_scope() as session:
            summary = import_stored_file(
                session=session, import_id=import_id, settings=get_settings(), now=utcnow()
            )
    except ImportFileError as error:
        problems, count = refused_problems(error)
        with session_scope() as session:
            fail_stored_import(
                session=session, import_id=import_id, problems=problems, count=count, now=utcnow()
            )
        return refusal(error)
    except JointauditError:
        raise
    except Exception as error:
        raise withheld(error) from None
    return {"imported": True, **asdict(summary)}


def _give_up(import_id: int) -> None:
    try:
        with session_scope() as session:
            fail_stored_import(
                session=session, import_id=import_id, problems=[UNEXPECTED], count=1, now=utcnow()
            )
    except NotFoundError:
        pass


@flow(name="import-case-register")
async def import_case_register(
    path: str | None = None, import_id: int | None = None
) -> dict[str, Any] | State[Any]:
    """Import a full register extract (CSV or XLSX) into the case register: the file at `path`,
    or the upload the portal or the API stored as `import_id` (then `path` is not read)."""
    if import_id is not None:
        try:
            outcome = import_stored_register(import_id)
        except Exception:
            _give_up(import_id)
            raise
    elif path is not None:
        outcome = import_register_file(path)
    else:
        return Failed(message="Give the register file's path, or an import_id")
    if not outcome["imported"]:
        first = "; ".join(list(dict.fromkeys(outcome["locations"]))[:3])
        return Failed(
            message=f"Register refused, nothing imported: {outcome['problems']} problems "
            f"(first: {first})",
            data=outcome,
        )
    get_run_logger().info(
        "Register import batch %(batch_id)s: %(rows)s rows, %(created)s new, %(updated)s "
        "updated, %(deactivated)s marked inactive",
        outcome,
    )
    return outcome
