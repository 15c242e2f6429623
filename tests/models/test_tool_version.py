"""Tool version snapshots: stored once per version, rebuilt exactly as launched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from models.errors import ConflictError, NotFoundError
from models.questionnaire import Tool, canonical_form, read_tool
from models.questionnaire.catalog import BUILTIN_DIR
from models.tool_version import (
    ToolVersion,
    get_tool_version,
    load_frozen_tool,
    save_tool_version,
)


def built_in(name: str = "domestic-abuse") -> Tool:
    return read_tool(BUILTIN_DIR / f"{name}.yaml")


def reworded(tool: Tool) -> Tool:
    data = canonical_form(tool)
    data["sections"][1]["questions"][0]["text"] += " (reworded)"
    return Tool.model_validate(data)


def count_rows(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ToolVersion)).one()


def test_saving_a_tool_stores_its_canonical_form_under_its_version(session: Session) -> None:
    tool = built_in()
    now = datetime(2026, 3, 6, 9, 30, tzinfo=UTC)
    row = save_tool_version(session=session, tool=tool, now=now)
    session.commit()
    assert (row.name, row.version, row.title) == (tool.name, tool.version, tool.title)
    assert row.definition == canonical_form(tool)
    session.expire_all()
    stored = get_tool_version(session=session, name=tool.name, version=tool.version)
    assert stored is not None
    assert stored.created_at == now


def test_saving_the_same_version_twice_returns_the_first_snapshot(session: Session) -> None:
    tool = built_in()
    first = save_tool_version(session=session, tool=tool)
    session.commit()
    again = save_tool_version(session=session, tool=read_tool(BUILTIN_DIR / "domestic-abuse.yaml"))
    session.commit()
    assert again.id == first.id
    assert count_rows(session) == 1


def test_a_change_of_meaning_is_stored_as_a_new_version_beside_the_old(session: Session) -> None:
    tool = built_in()
    changed = reworded(tool)
    save_tool_version(session=session, tool=tool)
    save_tool_version(session=session, tool=changed)
    session.commit()
    assert changed.version != tool.version
    assert count_rows(session) == 2
    assert load_frozen_tool(session=session, name=tool.name, version=tool.version) == tool


def test_a_frozen_tool_is_rebuilt_exactly_as_it_was_saved(session: Session) -> None:
    for name in ("domestic-abuse", "s47-strategy"):
        tool = built_in(name)
        save_tool_version(session=session, tool=tool)
        session.commit()
        session.expire_all()
        frozen = load_frozen_tool(session=session, name=name, version=tool.version)
        assert frozen == tool
        assert frozen.version == tool.version


def test_loading_a_version_that_was_never_saved_names_it(session: Session) -> None:
    with pytest.raises(NotFoundError, match="'domestic-abuse' version 000000000000"):
        load_frozen_tool(session=session, name="domestic-abuse", version="000000000000")
    assert get_tool_version(session=session, name="domestic-abuse", version="0") is None


def test_a_snapshot_edited_behind_our_back_is_not_silently_reused(session: Session) -> None:
    tool = built_in()
    row = save_tool_version(session=session, tool=tool)
    row.definition = {**row.definition, "title": "Edited"}
    session.add(row)
    session.commit()
    with pytest.raises(ConflictError, match="different definition"):
        save_tool_version(session=session, tool=tool)
