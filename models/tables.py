"""Imports every table module so that SQLModel.metadata is complete (for Alembic and tests)."""

from sqlmodel import SQLModel

from models import (
    action,
    agency,
    answers,
    api_key,
    audit_log,
    case,
    moderation,
    outbox,
    partnership,
    programme,
    register_import,
    report_settings,
    round,
    tool_version,
)

metadata = SQLModel.metadata

__all__ = [
    "action",
    "agency",
    "answers",
    "api_key",
    "audit_log",
    "case",
    "metadata",
    "moderation",
    "outbox",
    "partnership",
    "programme",
    "register_import",
    "report_settings",
    "round",
    "tool_version",
]
