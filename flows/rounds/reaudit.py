"""Re-audits: the same parameters as a baseline round, a fresh seed, linked to the baseline."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from flows.rounds.views import get_round
from models.round_parameters import LaunchParameters
from models.tool_version import ToolVersion


def reaudit_parameters(
    *,
    session: Session,
    baseline_id: int,
    due: date,
    seed: int,
    same_cases: bool,
    same_tool_version: bool,
    title: str | None = None,
) -> LaunchParameters:
    """The launch parameters of a re-audit of `baseline_id`."""
    baseline = get_round(session=session, round_id=baseline_id)
    params = LaunchParameters.model_validate(baseline.parameters)
    version = session.get(ToolVersion, baseline.tool_version_id) if same_tool_version else None
    return params.model_copy(
        update={
            "title": title or f"{baseline.title} (re-audit)",
            "due_date": due,
            "seed": seed,
            "idempotency_key": None,
            "baseline_round_id": baseline_id,
            "tool_version": version.version if version else None,
            "same_cases_as_round": baseline_id if same_cases else None,
            "allow_fewer": params.allow_fewer,
        }
    )
