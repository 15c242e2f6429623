"""Agencies taking part in joint audits and the people who answer for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow


class ContactRole(StrEnum):
    """Why a person is an agency's contact."""

    lead = "lead"
    deputy = "deputy"
    escalation = "escalation"


class Channel(StrEnum):
    """How messages reach a contact; `email` uses the partnership's configured email channel."""

    email = "email"
    notify = "notify"
    smtp = "smtp"
    webhook = "webhook"
    file = "file"
    console = "console"


class AgencyBase(SQLModel):
    """Fields every view of an agency shares."""

    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)


class Agency(AgencyBase, table=True):
    """An agency of the partnership (police, children's social care, an NHS trust...)."""

    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AgencyContact(SQLModel, table=True):
    """The person holding one contact role for an agency, and how to reach them."""

    __tablename__ = "agency_contact"
    __table_args__ = (UniqueConstraint("agency_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    role: ContactRole = Field(sa_type=String(20))
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: Channel = Field(default=Channel.email, sa_type=String(20))
    webhook_url: str | None = Field(default=None, max_length=2000)


def agency_names(*, session: Session, codes: list[str]) -> dict[str, str]:
    """Each agency code's name, for pages and documents (the code itself if the agency is gone)."""
    rows = session.exec(select(Agency.code, Agency.name).where(col(Agency.code).in_(codes)))
    names = dict(rows.all())
    return {code: names.get(code, code) for code in codes}
