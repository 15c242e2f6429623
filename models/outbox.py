"""The notifications outbox, sign-in tokens and the shared send-rate window (tables only)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class MessageStatus(StrEnum):
    """Where a message is in its life: pending → sending → sent | failed | cancelled."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient, written in the transaction of the change that causes it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    template: str = Field(max_length=40)
    channel: str = Field(max_length=20)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # The foreign key to audit_round arrives with rounds; until then a plain indexed column.
    round_id: int | None = Field(default=None, index=True)
    address: str = Field(max_length=2000)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: MessageStatus = Field(default=MessageStatus.pending, sa_type=String(20))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    claimed_by: str | None = Field(default=None, max_length=40)
    last_error: str | None = Field(default=None, max_length=1000)
    provider_message_id: str | None = Field(default=None, max_length=200)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    delivery_status: str | None = Field(default=None, max_length=40)
    delivery_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SignInToken(SQLModel, table=True):
    """A single-use sign-in link for a person, stored only as the SHA-256 of the raw token."""

    __tablename__ = "sign_in_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    round_id: int | None = Field(default=None, index=True)
    message_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    landing: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class RateLimitBucket(SQLModel, table=True):
    """How many sends one limiter granted in one second; all dispatchers share these rows."""

    __tablename__ = "rate_limit_bucket"

    name: str = Field(max_length=40, primary_key=True)
    second: int = Field(primary_key=True, description="Unix time of the bucket's first second")
    granted: int = 0
