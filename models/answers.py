"""Agencies' answers: a versioned answer set per assignment, one typed row per question."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, LargeBinary, String, UniqueConstraint, and_
from sqlmodel import Field, SQLModel, col

from models.questionnaire import Answer as AnswerValue
from models.round import ANSWERED, Assignment
from models.types import UTCDateTime, utcnow


class AnswerSetStatus(StrEnum):
    """Where one version of an agency's answers about one case is."""

    draft = "draft"
    submitted = "submitted"
    superseded = "superseded"


class AnswerSet(SQLModel, table=True):
    """One version of an agency's answers about one case; amendments add a version."""

    __tablename__ = "answer_set"
    __table_args__ = (UniqueConstraint("assignment_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    version: int = 1
    status: AnswerSetStatus = Field(default=AnswerSetStatus.draft, sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: int | None = Field(default=None, foreign_key="person.id")


class Answer(SQLModel, table=True):
    """The answer to one question; exactly one value column is set (or none when unanswered).

    `choice` holds yes/no/partly/na, grades, RAG, single-choice option ids and "na" for every
    type; `number` holds 0-10 scales and numbers; multi-choice options are AnswerOption rows.
    """

    __table_args__ = (UniqueConstraint("answer_set_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    answer_set_id: int = Field(foreign_key="answer_set.id", index=True)
    question_id: str = Field(max_length=60)
    choice: str | None = Field(default=None, max_length=60)
    number: float | None = None
    day: date | None = None
    text: str | None = Field(default=None, max_length=10_000)


def answer_value(row: Answer, options: Sequence[str] = ()) -> AnswerValue:
    """The typed value of one stored answer row (its ticked options for a multi-choice)."""
    if row.text is not None:
        return row.text
    if row.number is not None:
        return int(row.number) if row.number.is_integer() else row.number
    if row.day is not None:
        return row.day
    if row.choice is None and options:
        return sorted(options)
    return row.choice


def counted_answers(round_id: int) -> ColumnElement[bool]:
    """The answers that count, for every reader: the current submitted version of each
    answered (submitted or not known) assignment of the round. Join Assignment and AnswerSet."""
    return and_(
        col(Assignment.round_id) == round_id,
        col(Assignment.status).in_(ANSWERED),
        col(AnswerSet.status) == AnswerSetStatus.submitted,
    )


class AnswerOption(SQLModel, table=True):
    """One option ticked in a multi-choice answer."""

    __tablename__ = "answer_option"

    answer_id: int = Field(foreign_key="answer.id", primary_key=True)
    option_id: str = Field(max_length=60, primary_key=True)


class ConcernState(StrEnum):
    """Where an immediate safeguarding concern is."""

    raised = "raised"
    acknowledged = "acknowledged"
    referred = "referred"
    not_referred = "not_referred"


class Concern(SQLModel, table=True):
    """An immediate safeguarding concern raised while auditing.

    What the auditor wrote, and why no referral was needed, may name the child: both are
    encrypted at rest like identities (AES-GCM, bound to the concern), never stored in clear.
    """

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="audit_round.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    raised_by: int = Field(foreign_key="person.id")
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    state: ConcernState = Field(default=ConcernState.raised, sa_type=String(20))
    immediate_risk: bool | None = None
    key_id: str | None = Field(default=None, max_length=16)
    ciphertext: bytes | None = Field(default=None, sa_type=LargeBinary)
    acknowledged_by: int | None = Field(default=None, foreign_key="person.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    referral_made: bool | None = None
    referral_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    referral_reference: str | None = Field(default=None, max_length=100)
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ConcernGrantRole(StrEnum):
    """Why a person may open one concern."""

    front_door = "front_door"
    escalation = "escalation"


class ConcernGrant(SQLModel, table=True):
    """A person's access to one concern (the front door, the agency's escalation contact):
    the concern alone, never the round's assignments, so it is no audit task."""

    __tablename__ = "concern_grant"
    __table_args__ = (UniqueConstraint("concern_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="concern.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: ConcernGrantRole = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
