"""What every flow shares: the retry rule that the error hierarchy decides."""

from __future__ import annotations

from typing import Any

from prefect.client.schemas.objects import State, TaskRun

from models.errors import is_retryable

RETRY_DELAYS: list[float] = [2, 10, 30]


def retry_if_transient(_task: Any, _task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry only errors the hierarchy marks as retryable."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_retryable(error)
