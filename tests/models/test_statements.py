"""Statements run together: each one's change made, the last one's result, one round trip on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    update,
)

from models.statements import run_together

METADATA = MetaData()
NOTES = Table(
    "together_note", METADATA, Column("id", Integer, primary_key=True), Column("text", String(40))
)
ADD = insert(NOTES).values(id=bindparam("p_new_id"), text=bindparam("p_text"))
CHANGE = update(NOTES).where(NOTES.c.id == bindparam("p_old_id")).values(text=bindparam("p_text"))
OTHERS = select(NOTES.c.id).where(NOTES.c.id != bindparam("p_new_id")).order_by(NOTES.c.id)


@pytest.fixture
def notes(engine: Engine) -> Iterator[Engine]:
    METADATA.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(NOTES), [{"id": 1, "text": "one"}, {"id": 2, "text": "two"}])
    yield engine
    METADATA.drop_all(engine)


def test_statements_run_together_each_make_their_change_and_give_the_last_ones_rows(
    notes: Engine,
) -> None:
    sent: list[str] = []

    def count(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own, from models.db
            sent.append(statement)

    event.listen(notes, "before_cursor_execute", count)
    params = {"p_new_id": 3, "p_old_id": 1, "p_text": "changed"}
    with notes.begin() as connection:
        others = run_together(connection, (ADD, CHANGE, OTHERS), params).scalars().all()
    event.remove(notes, "before_cursor_execute", count)
    assert others == [1, 2]
    assert len(sent) == (1 if notes.dialect.name == "postgresql" else 3)
    with notes.connect() as connection:
        rows = connection.execute(select(NOTES).order_by(NOTES.c.id)).all()
    assert [tuple(row) for row in rows] == [(1, "changed"), (2, "two"), (3, "changed")]


def test_only_the_last_statement_run_together_may_be_a_select_on_postgresql(
    notes: Engine,
) -> None:
    steps, params = (OTHERS, ADD), {"p_new_id": 4, "p_text": "x"}
    with notes.begin() as connection:
        if notes.dialect.name == "postgresql":
            with pytest.raises(TypeError, match="only the last"):
                run_together(connection, steps, params)
            return
        run_together(connection, steps, params)  # SQLite runs them one by one, in any order
        assert connection.execute(select(NOTES.c.text).where(NOTES.c.id == 4)).scalar() == "x"
