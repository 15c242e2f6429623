"""The case register: pseudonymised cases, their sampling attributes and encrypted identities."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class CaseBase(SQLModel):
    """The attributes of a case that sampling uses; nothing here identifies a child."""

    case_ref: str = Field(max_length=64, unique=True, index=True)
    category: str | None = Field(default=None, max_length=20)
    age_band: str | None = Field(default=None, max_length=10)
    gender: str | None = Field(default=None, max_length=40)
    ethnicity: str | None = Field(default=None, max_length=80)
    referral_date: date | None = None


class Case(CaseBase, table=True):
    """A case in the register (table `case_record`: CASE is an SQL keyword)."""

    __tablename__ = "case_record"
    # (category, active) covers the launch funnel's pass over the register; a lone index on
    # `active` would be slower than a scan, as nearly every case is active.
    __table_args__ = (Index("ix_case_record_category_active", "category", "active"),)

    id: int | None = Field(default=None, primary_key=True)
    active: bool = Field(default=True)
    last_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CasePublic(CaseBase):
    """A case as shown to a coordinator: sampling attributes, flags, agencies; no identity."""

    active: bool
    flags: list[str]
    agencies: list[str]


class CaseFlag(SQLModel, table=True):
    """A theme flag on a case (domestic_abuse, s47, neglect...)."""

    __tablename__ = "case_flag"
    # (flag, case_id) answers "which cases carry this flag" from the index alone.
    __table_args__ = (Index("ix_case_flag_flag_case", "flag", "case_id"),)

    case_id: int = Field(foreign_key="case_record.id", primary_key=True)
    flag: str = Field(max_length=40, primary_key=True)


class CaseAgency(SQLModel, table=True):
    """An agency known to be involved with a case."""

    __tablename__ = "case_agency"

    case_id: int = Field(foreign_key="case_record.id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, index=True)


class CaseIdentity(SQLModel, table=True):
    """What an agency needs to find the child in its records, encrypted at rest (AES-GCM)."""

    __tablename__ = "case_identity"

    case_id: int = Field(foreign_key="case_record.id", primary_key=True)
    key_id: str = Field(max_length=16, index=True)
    ciphertext: bytes = Field(sa_type=LargeBinary, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ImportKind(StrEnum):
    """What an import batch loaded."""

    cases = "cases"
    agencies = "agencies"


class ImportBatch(SQLModel, table=True):
    """One import of a file: what it held and what it changed."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    kind: ImportKind = Field(sa_type=String(20))
    source_name: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    rows: int = 0
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    actor: str = Field(max_length=320)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
