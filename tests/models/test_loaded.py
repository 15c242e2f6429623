"""Objects made from a Core row's values: read as the ORM would load them, in no session."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import DetachedInstanceError
from sqlmodel import Session

from models.loaded import as_loaded, as_partly_loaded
from models.round import AuditRound
from models.tool_version import ToolVersion
from tests.builders import NOW

VERSION = {"name": "neglect", "version": "v1", "title": "Neglect", "created_at": NOW}


def test_a_copy_of_a_stored_row_reads_as_the_orm_loads_it_and_belongs_to_no_session(
    session: Session,
) -> None:
    session.add(ToolVersion(definition={}, **VERSION))
    session.commit()
    row = session.connection().execute(select(ToolVersion.__table__)).one()  # type: ignore[attr-defined]
    copy = as_loaded(ToolVersion, row._mapping)
    stored = session.get(ToolVersion, row.id)
    assert stored is not None and copy is not stored
    columns = ("id", "name", "version", "title", "created_at", "definition")
    assert {n: getattr(copy, n) for n in columns} == {n: getattr(stored, n) for n in columns}
    assert inspect(copy).session is None and copy not in session
    set_committed_value(copy, "title", "Neglect (2027)")  # as a statement has just written it
    session.commit()
    assert copy.title == "Neglect (2027)" and session.get(ToolVersion, row.id).title == "Neglect"  # type: ignore[union-attr]


def test_a_column_left_out_of_a_partial_copy_raises_when_read_never_reads_as_none() -> None:
    partial = as_partly_loaded(AuditRound, {"id": 7, "title": "Neglect", "status": "collecting"})
    assert (partial.id, partial.title, partial.status) == (7, "Neglect", "collecting")
    with pytest.raises(DetachedInstanceError):
        _ = partial.cancelled_at
    whole = as_loaded(AuditRound, {"id": 7})
    assert whole.cancelled_at is None  # `as_loaded` is for copies holding every column
