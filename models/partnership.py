"""The partnership, the people who work in it, and their partnership-wide roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow


class PartnershipRole(StrEnum):
    """Roles held across the whole partnership (agency roles live on agency contacts)."""

    coordinator = "coordinator"
    board_reader = "board_reader"


class Partnership(SQLModel, table=True):
    """The one safeguarding partnership this database serves."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    front_door_name: str | None = Field(default=None, max_length=200)
    front_door_email: str | None = Field(default=None, max_length=320)
    front_door_phone: str | None = Field(default=None, max_length=40)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PersonBase(SQLModel):
    """Fields every view of a person shares."""

    name: str = Field(max_length=200)
    email: str = Field(max_length=320, unique=True, index=True)


class Person(PersonBase, table=True):
    """Someone who signs in or receives messages: coordinator, agency lead, board reader."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PersonRole(SQLModel, table=True):
    """A partnership-wide role held by a person."""

    __tablename__ = "person_role"
    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: PartnershipRole = Field(sa_type=String(20))


class PortalSessionRow(SQLModel, table=True):
    """A signed-in portal session; the cookie carries its key, the row only the key's hash."""

    __tablename__ = "portal_session"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(sa_type=String(64), unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_by: str | None = Field(default=None, max_length=40)
    signed_in_with: str | None = Field(default=None, max_length=80)
    """"link", or "oidc:" and the provider's key."""
    authenticated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the person last proved who they are (a provider may have done so before)."""


def is_coordinator(*, session: Session, person_id: int) -> bool:
    """Whether the person holds the partnership's coordinator role now."""
    held = session.exec(
        select(PersonRole.id).where(
            col(PersonRole.person_id) == person_id,
            col(PersonRole.role) == PartnershipRole.coordinator,
        )
    ).first()
    return held is not None
