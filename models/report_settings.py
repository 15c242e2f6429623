"""The board report's words: front-sheet fields and the coordinator's commentary, versioned.

Each edit adds a row (the latest version of a field wins, earlier ones stay as history). A row
without a round is a partnership default for every round's front sheet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow

FRONT_SHEET_FIELDS = (
    "meeting",
    "meeting_date",
    "item_number",
    "title",
    "authorised_by",
    "lead_officer",
    "wards",
    "decision_type",
)
SECTIONS = ("issue", "findings", "actions", "impact")
HIGHLIGHT_PREFIX = "highlight:"
MAX_TEXT = 5000


class ReportText(SQLModel, table=True):
    """One version of one front-sheet field or commentary text of a round (or of every round)."""

    __tablename__ = "report_text"
    __table_args__ = (UniqueConstraint("round_id", "field", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int | None = Field(default=None, foreign_key="audit_round.id", index=True)
    field: str = Field(max_length=120)
    version: int = Field(ge=1)
    text: str = Field(default="", max_length=MAX_TEXT)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    by: str = Field(max_length=320)
