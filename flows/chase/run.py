"""One chase: the responses (reminders, overdue notices, escalations, digests) and the actions.

The `chase-overdue` flow and `jointaudit chase` both call `chase_everything`, so the command
queues exactly what the scheduled flow queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from flows.action_plan.chase import chase_actions
from flows.chase.sweep import ChaseSummary, chase_sweep
from models.settings import Settings


@dataclass(frozen=True)
class ChaseRun:
    """What one chase queued (or, in a dry run, would queue): counts and ids only."""

    responses: ChaseSummary
    action_messages: int

    def as_dict(self) -> dict[str, object]:
        """Counts for Prefect's result and `--json` (no message contents)."""
        return {
            "rounds": self.responses.rounds,
            "queued": self.responses.queued,
            "by_kind": self.responses.by_kind,
            "action_messages": self.action_messages,
        }


def chase_everything(
    *, session: Session, now: datetime, settings: Settings, dry_run: bool = False
) -> ChaseRun:
    """Chase every collecting round's answers and every live action; a dry run keeps nothing."""
    responses = chase_sweep(session=session, now=now, settings=settings, dry_run=dry_run)
    actions = chase_actions(session=session, now=now, settings=settings)
    if dry_run:
        session.rollback()  # the action chase marks and queues as it goes
    return ChaseRun(responses=responses, action_messages=actions)
