"""Snapshots of audit tool versions: a round freezes the version it launched with."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, select

from models.errors import ConflictError, NotFoundError
from models.questionnaire import Tool, canonical_form
from models.types import UTCDateTime, utcnow


class ToolVersion(SQLModel, table=True):
    """One version of an audit tool, stored in its canonical form; never changed once written."""

    __tablename__ = "tool_version"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    version: str = Field(max_length=64)
    title: str = Field(max_length=200)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False, default_factory=utcnow)


def save_tool_version(*, session: Session, tool: Tool, now: datetime | None = None) -> ToolVersion:
    """Store the tool's current version, or return the snapshot already stored (idempotent)."""
    definition = canonical_form(tool)
    values = {
        "name": tool.name,
        "version": tool.version,
        "title": tool.title,
        "definition": definition,
        "created_at": now or utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ToolVersion).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["name", "version"]))
    row = get_tool_version(session=session, name=tool.name, version=tool.version)
    if row is None:  # pragma: no cover - the insert above guarantees a row
        raise ConflictError(f"tool {tool.name!r} version {tool.version} could not be stored")
    if row.definition != definition:
        raise ConflictError(
            f"tool {tool.name!r} version {tool.version} is already stored with a different "
            "definition (a hash collision or an edited snapshot): nothing was changed"
        )
    return row


def get_tool_version(*, session: Session, name: str, version: str) -> ToolVersion | None:
    """The stored snapshot of one tool version, if any."""
    query = select(ToolVersion).where(ToolVersion.name == name, ToolVersion.version == version)
    return session.exec(query).first()


def load_frozen_tool(*, session: Session, name: str, version: str) -> Tool:
    """Rebuild the tool exactly as it was when this version was stored."""
    row = get_tool_version(session=session, name=name, version=version)
    if row is None:
        raise NotFoundError(f"no stored snapshot of tool {name!r} version {version}")
    return frozen_tool(row)


def frozen_tool(row: ToolVersion) -> Tool:
    """The tool a stored snapshot holds (validated once per process and content: a snapshot
    never changes, and every portal and API request needs it)."""
    return _validated(json.dumps(row.definition, sort_keys=True))


@lru_cache(maxsize=32)
def _validated(definition: str) -> Tool:
    return Tool.model_validate(json.loads(definition))
