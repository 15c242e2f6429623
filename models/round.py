"""Joint audit rounds: the cases, the agencies, one assignment per (agency, case), and grants."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKeyConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class RoundStatus(StrEnum):
    """Where a round is in its life."""

    collecting = "collecting"
    reconciling = "reconciling"
    moderated = "moderated"
    planning = "planning"
    closed = "closed"
    cancelled = "cancelled"


class MemberStatus(StrEnum):
    """Whether an agency or a case still takes part in a round."""

    active = "active"
    withdrawn = "withdrawn"
    replaced = "replaced"


class AssignmentStatus(StrEnum):
    """Where one agency is with one case."""

    not_started = "not_started"
    in_progress = "in_progress"
    submitted = "submitted"
    not_known = "not_known"
    withdrawn = "withdrawn"


ANSWERED = (AssignmentStatus.submitted, AssignmentStatus.not_known)


class AuditRound(SQLModel, table=True):
    """One joint audit: a frozen tool version, a sample of cases, the agencies, a due date."""

    __tablename__ = "audit_round"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    status: RoundStatus = Field(default=RoundStatus.collecting, sa_type=String(20), index=True)
    tool_version_id: int = Field(foreign_key="tool_version.id")
    idempotency_key: str = Field(max_length=200, unique=True)
    seed: int = Field(sa_type=BigInteger)
    due_date: date
    parameters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    selection: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    register_counts: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    baseline_round_id: int | None = Field(default=None, foreign_key="audit_round.id")
    created_by: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    collection_closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, max_length=500)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    purged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def agency_due_date(own_due_date: date | None, round_: AuditRound) -> date:
    """An agency's due date in a round: its own extension, or the round's."""
    return own_due_date or round_.due_date


class RoundAgency(SQLModel, table=True):
    """An agency taking part in a round, with its own due date when extended."""

    __tablename__ = "round_agency"
    __table_args__ = (UniqueConstraint("round_id", "agency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    agency_id: int = Field(foreign_key="agency.id")
    status: MemberStatus = Field(default=MemberStatus.active, sa_type=String(20))
    due_date: date | None = None
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def effective_due_date(self, round_: AuditRound) -> date:
        """This agency's due date: its own extension, or the round's."""
        return agency_due_date(self.due_date, round_)


class RoundCase(SQLModel, table=True):
    """A case selected for a round, with its stratum and selection rank."""

    __tablename__ = "round_case"
    __table_args__ = (UniqueConstraint("round_id", "case_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    case_id: int = Field(foreign_key="case_record.id", index=True)
    stratum: str = Field(max_length=80)
    rank: str = Field(max_length=64)
    status: MemberStatus = Field(default=MemberStatus.active, sa_type=String(20))
    replaced_by_case_id: int | None = Field(default=None, foreign_key="case_record.id")
    replace_reason: str | None = Field(default=None, max_length=500)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Assignment(SQLModel, table=True):
    """One agency's review of one case in a round; only the round's own cases and agencies."""

    __table_args__ = (
        UniqueConstraint("round_id", "agency_id", "case_id"),
        ForeignKeyConstraint(
            ["round_id", "case_id"], ["round_case.round_id", "round_case.case_id"]
        ),
        ForeignKeyConstraint(
            ["round_id", "agency_id"], ["round_agency.round_id", "round_agency.agency_id"]
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The composite keys above tie these to the round's own cases and agencies; the unique
    # constraint's index serves lookups by round and agency.
    round_id: int
    agency_id: int
    case_id: int
    status: AssignmentStatus = Field(
        default=AssignmentStatus.not_started, sa_type=String(20), index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GrantRole(StrEnum):
    """Why a person may see an agency's assignments in a round."""

    lead = "lead"
    deputy = "deputy"
    escalation = "escalation"


class AccessGrant(SQLModel, table=True):
    """A person's access to one agency's assignments in one round."""

    __tablename__ = "access_grant"
    __table_args__ = (UniqueConstraint("round_id", "agency_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    agency_id: int = Field(foreign_key="agency.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: GrantRole = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
