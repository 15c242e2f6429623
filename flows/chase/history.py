"""A round's chase history from the outbox: who was chased, at which step, and what became of it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from flows.chase.policy import CHASE_TEMPLATES
from models.outbox import OutboxMessage


class ChaseEntry(BaseModel):
    """One chase message of a round (ids, step and status; never its content)."""

    template: str
    person_id: int | None
    step: str
    status: str
    created_at: datetime
    sent_at: datetime | None


def chase_history(*, session: Session, round_id: int) -> list[ChaseEntry]:
    """Every reminder, overdue notice, escalation and digest of a round, oldest first."""
    rows = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.round_id) == round_id,
            col(OutboxMessage.template).in_(CHASE_TEMPLATES),
        )
        .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
    )
    return [
        ChaseEntry(
            template=row.template,
            person_id=row.person_id,
            step=row.dedupe_key.rsplit(":", 1)[-1] if row.template != "digest" else "digest",
            status=row.status,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )
        for row in rows
    ]
