"""What every flow shares: Prefect's defaults for our machines and the retry rule the errors decide.

Flows are `async def`: a sync flow costs about a second more per run on these machines
(its heartbeat thread is joined in one-second steps); the tasks they call stay plain and sync.
"""

from __future__ import annotations

import os
from collections.abc import Coroutine, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from models.errors import is_retryable

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State, TaskRun

RETRY_DELAYS: list[float] = [2, 10, 30]
R = TypeVar("R")


def use_prefect_defaults(environ: MutableMapping[str, str] | None = None) -> None:
    """Point Prefect at its home in our data directory, without telemetry, unless already set.

    Prefect reads its settings when first imported, so entry points (the CLI, the benches)
    call this before anything imports Prefect; nothing calls it as an import side effect.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("JOINTAUDIT_DATA_DIR", "var"))
    for name, value in {
        "PREFECT_HOME": str(data_dir.resolve() / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }.items():
        env.setdefault(name, value)


def retry_if_transient(_task: Any, _task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry only errors the hierarchy marks as retryable."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_retryable(error)


def run_flow(flow_call: Coroutine[Any, Any, R]) -> R:
    """Run an async flow from sync code (the CLI, the demo) on Prefect's shared loop.

    `asyncio.run` would give each run a fresh loop and leave Prefect's cached HTTP clients
    of the old loop unclosed.
    """
    from prefect.utilities.asyncutils import run_coro_as_sync

    result = run_coro_as_sync(flow_call)
    return cast(R, result)
