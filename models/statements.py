"""Several statements of one transaction sent as one: a round trip each costs a request more
than the work (PostgreSQL), so they go as data-modifying CTEs of the last one there, and one
after the other where the database is in the process (SQLite, which has no DML in CTEs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult, Select, literal_column
from sqlalchemy.sql.dml import UpdateBase

Step = UpdateBase | Select[Any]
_combined: dict[tuple[Step, ...], Step] = {}


def _as_one(steps: Sequence[Step]) -> Step:
    """The steps as one statement: all but the last as CTEs of the last (built once)."""
    key = tuple(steps)  # the statements themselves (never an id a freed one could reuse)
    found = _combined.get(key)
    if found is None:
        *first, last = steps
        ctes = []
        for number, step in enumerate(first):
            if not isinstance(step, UpdateBase):
                raise TypeError("only the last statement run together may be a SELECT")
            ctes.append(step.returning(literal_column("1")).cte(f"step_{number}"))
        found = _combined.setdefault(key, last.add_cte(*ctes))
    return found


def run_together(
    connection: Connection, steps: Sequence[Step], params: Mapping[str, Any]
) -> CursorResult[Any]:
    """Run the steps (module-level statements whose values are all named bind parameters) with
    one set of parameters; the last one's result. On PostgreSQL every step sees the database as
    it was before any of them, so no step may depend on another's change."""
    if connection.dialect.name == "postgresql":
        return connection.execute(_as_one(steps), dict(params))
    result: CursorResult[Any] | None = None
    for step in steps:  # each takes the parameters it names and ignores the rest
        result = connection.execute(step, params)
    assert result is not None, "run_together needs at least one statement"
    return result
