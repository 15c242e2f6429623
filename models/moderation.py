"""Reconciliations of a round and its moderation meeting: who came, what was agreed per case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Reconciliation(SQLModel, table=True):
    """One computation of a round's findings (the Findings document), newest is current."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    provisional: bool = True
    findings: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class ModerationMeeting(SQLModel, table=True):
    """The moderation meeting of a round."""

    __tablename__ = "moderation_meeting"

    round_id: int = Field(foreign_key="audit_round.id", primary_key=True)
    held_on: date
    notes: str = Field(default="", max_length=20_000)
    recorded_by: str = Field(max_length=320)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ModerationAttendee(SQLModel, table=True):
    """An agency represented at the moderation meeting."""

    __tablename__ = "moderation_attendee"

    round_id: int = Field(foreign_key="moderation_meeting.round_id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True)


class ModeratedAnswer(SQLModel, table=True):
    """The meeting's agreed answer to a shared question for one case, and how it was resolved."""

    __tablename__ = "moderated_answer"
    __table_args__ = (UniqueConstraint("round_id", "case_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    case_id: int = Field(foreign_key="case_record.id")
    question_id: str = Field(max_length=60)
    value: str = Field(max_length=60)
    resolution: str | None = Field(default=None, max_length=2000)
    decided_by: str = Field(max_length=320)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
