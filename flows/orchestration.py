"""What every flow shares: the retry rule that the error hierarchy decides.

Flows are `async def`: a sync flow costs about a second more per run on these machines
(its heartbeat thread is joined in one-second steps); the tasks they call stay plain and sync.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar, cast

from prefect.client.schemas.objects import State, TaskRun
from prefect.utilities.asyncutils import run_coro_as_sync

from models.errors import is_retryable

RETRY_DELAYS: list[float] = [2, 10, 30]
R = TypeVar("R")


def retry_if_transient(_task: Any, _task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry only errors the hierarchy marks as retryable."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_retryable(error)


def run_flow(flow_call: Coroutine[Any, Any, R]) -> R:
    """Run an async flow from sync code (the CLI, the demo) on Prefect's shared loop.

    `asyncio.run` would give each run a fresh loop and leave Prefect's cached HTTP clients
    of the old loop unclosed.
    """
    result = run_coro_as_sync(flow_call)
    return cast(R, result)
