"""What a launch can choose from: the tools, the active agencies and the register's values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.agency import Agency
from models.case import Case, CaseFlag
from models.questionnaire.catalog import list_tools
from models.round_parameters import Attribute
from models.settings import Settings

ATTRIBUTES: tuple[str, ...] = get_args(Attribute)


@dataclass(frozen=True)
class ToolChoice:
    """A catalogued tool: its name, title and current version."""

    name: str
    title: str
    version: str


@dataclass(frozen=True)
class LaunchOptions:
    """The choices a launch form offers, each register value with its active cases."""

    tools: list[ToolChoice]
    agencies: list[tuple[str, str]]
    flags: list[tuple[str, int]]
    values: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _attribute_counts(session: Session, attribute: str) -> list[tuple[str, int]]:
    column = col(getattr(Case, attribute))
    rows = session.exec(
        select(column, func.count()).where(col(Case.active)).group_by(column).order_by(column)
    )
    return [(value or "unknown", int(count)) for value, count in rows]


def launch_options(*, session: Session, settings: Settings) -> LaunchOptions:
    """The tools (built-in and the partnership's), agencies and register values to choose."""
    tools = [
        ToolChoice(entry.name, tool.title, tool.version)
        for entry, tool in list_tools(settings.tool_dirs)
    ]
    agencies = list(
        session.exec(
            select(Agency.code, Agency.name).where(col(Agency.active)).order_by(col(Agency.name))
        )
    )
    flags = session.exec(
        select(CaseFlag.flag, func.count())
        .join(Case, col(Case.id) == col(CaseFlag.case_id))
        .where(col(Case.active))
        .group_by(col(CaseFlag.flag))
        .order_by(col(CaseFlag.flag))
    )
    return LaunchOptions(
        tools=tools,
        agencies=[(code, name) for code, name in agencies],
        flags=[(flag, int(count)) for flag, count in flags],
        values={attribute: _attribute_counts(session, attribute) for attribute in ATTRIBUTES},
    )
