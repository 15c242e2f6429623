"""The joint action plan: SMART actions drafted from findings, approved, tracked to done."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class ActionStatus(StrEnum):
    """An action's life: draft, approved, then on track / at risk / overdue, then done."""

    draft = "draft"
    approved = "approved"
    on_track = "on_track"
    at_risk = "at_risk"
    overdue = "overdue"
    done = "done"
    merged = "merged"


class ActionSource(StrEnum):
    """Where a candidate action came from."""

    rule = "rule"
    discrepancy = "discrepancy"
    agency_text = "agency_text"
    coordinator = "coordinator"


class Action(SQLModel, table=True):
    """One action of a round's plan: what, how, who leads, by when, how success is measured."""

    __table_args__ = (UniqueConstraint("round_id", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    source: ActionSource = Field(sa_type=String(20))
    source_key: str = Field(max_length=200)
    source_quote: str | None = Field(default=None, max_length=5000)
    what: str = Field(max_length=2000)
    how: str = Field(default="", max_length=2000)
    owner_agency_id: int | None = Field(default=None, foreign_key="agency.id")
    due_date: date | None = None
    success_measure: str = Field(default="", max_length=1000)
    status: ActionStatus = Field(default=ActionStatus.draft, sa_type=String(20), index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="action.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ActionUpdate(SQLModel, table=True):
    """A dated progress update on an action, by its owner or the coordinator."""

    __tablename__ = "action_update"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    by: str = Field(max_length=320)
    status: ActionStatus = Field(sa_type=String(20))
    note: str = Field(default="", max_length=5000)
