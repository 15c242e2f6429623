"""The year's audit programme: planned rounds that launch themselves on their day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class PlannedRound(SQLModel, table=True):
    """A round the programme plans: launched once, on its launch date (a working day)."""

    __tablename__ = "planned_round"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, unique=True)
    programme_year: int
    theme: str = Field(max_length=120)
    launch_date: date
    response_working_days: int
    parameters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reaudit_of: str | None = Field(default=None, max_length=60)
    round_id: int | None = Field(default=None, foreign_key="audit_round.id")
    launched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
