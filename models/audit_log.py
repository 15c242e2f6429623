"""The append-only audit log: every view of identities and every change, with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Column, Table, bindparam, insert
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """One thing that happened; database triggers refuse updates and deletes."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor: str = Field(max_length=320)
    action: str = Field(max_length=80, index=True)
    entity_type: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=80)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


_EVENTS = cast(Table, AuditEvent.__table__)  # type: ignore[attr-defined]
EVENT_VALUES = ("at", "actor", "action", "entity_type", "entity_id", "details")
INSERT_EVENT_BOUND = insert(_EVENTS).values(
    {name: bindparam(f"event_{name}") for name in EVENT_VALUES}
)
"""An event whose values are bound as event_<column>, built once (every request of the portal
and the API appends one); `event_params` gives them, and other statements may run with it
(models.statements)."""
_INSERT_EVENT = INSERT_EVENT_BOUND.returning(_EVENTS.c.id)


def event_params(
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """INSERT_EVENT_BOUND's parameters for one event."""
    return {
        "event_at": now,
        "event_actor": actor,
        "event_action": action,
        "event_entity_type": entity_type,
        "event_entity_id": None if entity_id is None else str(entity_id),
        "event_details": details or {},
    }


def record_event(
    *,
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Append one event to the audit log in the caller's transaction; returns its id."""
    if session.autoflush:  # as an ORM statement would: pending changes are written first
        session.flush()
    params = event_params(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        now=now or utcnow(),
        details=details,
    )
    return int(session.connection().execute(_INSERT_EVENT, params).scalar_one())


def list_events(
    *, session: Session, action: str | None = None, limit: int = 100
) -> list[AuditEvent]:
    """The most recent audit events, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)  # type: ignore[union-attr]
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query))
